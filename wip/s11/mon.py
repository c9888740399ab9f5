import socket, sys, time, re
path, cmd = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(30)
def rd(until=b"(qemu) "):
    buf=b""
    while not buf.endswith(until):
        d=s.recv(65536)
        if not d: break
        buf+=d
    return buf
rd()
s.sendall(cmd.encode()+b"\n")
sys.stdout.write(rd().decode(errors="replace"))
