sh /run/results/guest.sh
