import sys,bisect,subprocess,re,collections
vm=sys.argv[1]; f=sys.argv[2]
syms=[]
for l in subprocess.run(['nm','-n',vm],capture_output=True,text=True).stdout.splitlines():
    p=l.split()
    if len(p)>=3 and p[1] in 'tTwW': syms.append((int(p[0],16),p[2]))
addrs=[a for a,_ in syms]
def name(a):
    i=bisect.bisect_right(addrs,a)-1
    return "%s+%#x"%(syms[i][1],a-syms[i][0]) if i>=0 else hex(a)
cur=None; out=collections.OrderedDict()
for l in open(f):
    if l.startswith('==='): cur=l.strip(); out[cur]=collections.Counter(); continue
    m=re.search(r'RIP=([0-9a-f]+).*HLT=(\d)',l)
    if m and cur: out[cur][name(int(m.group(1),16))+(" HLT" if m.group(2)=='1' else "")]+=1
for k,c in out.items():
    print(k, dict(c.most_common(8)))
