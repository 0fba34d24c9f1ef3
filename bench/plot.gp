# SPDX-License-Identifier: GPL-2.0
# ns/packet against N for the four contenders, from bench.py report's data
# file. Called by bench/bench.sh:
#   gnuplot -e "dat='...'; png='...'; clock='icount|wall'; kver='...'" bench/plot.gp
# Columns of dat: N, then match and nomatch for minifw, iptables, ipset,
# nft, then none (no firewall).
set terminal pngcairo size 1000,650 font ",11"
set output png
set logscale xy
set xlabel "N (source-CIDR drop rules, mixed /16 to /32)"
if (clock eq "icount") {
	set ylabel "ns/packet (guest clock: 1 ns = 1 guest instruction)"
} else {
	set ylabel "ns/packet (wall clock, QEMU TCG)"
}
set title sprintf("PREROUTING cost per packet, pktgen netif\\_receive, %s in QEMU TCG (%s clock)", kver, clock)
set key top left
set grid
set rmargin 5
set xrange [0.7:*]
set style line 1 lc rgb "#d62728" lw 2 pt 7
set style line 2 lc rgb "#1f77b4" lw 2 pt 5
set style line 3 lc rgb "#2ca02c" lw 2 pt 9
set style line 4 lc rgb "#9467bd" lw 2 pt 11
set style line 5 lc rgb "#7f7f7f" lw 1 pt 1
plot dat using 1:2 with linespoints ls 1 title "minifw, matching the last rule", \
     dat using 1:3 with linespoints ls 1 dt 2 title "minifw, matching none", \
     dat using 1:4 with linespoints ls 2 title "iptables-legacy (raw), matching the last rule", \
     dat using 1:5 with linespoints ls 2 dt 2 title "iptables-legacy, matching none", \
     dat using 1:6 with linespoints ls 3 title "ipset hash:net, matching", \
     dat using 1:7 with linespoints ls 3 dt 2 title "ipset hash:net, matching none", \
     dat using 1:8 with linespoints ls 4 title "nftables interval set, matching", \
     dat using 1:9 with linespoints ls 4 dt 2 title "nftables interval set, matching none", \
     dat using 1:10 with linespoints ls 5 title "no firewall"
