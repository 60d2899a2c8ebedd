#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The documentation says what the programs do: each option that
# `xdpcap --help` lists is in xdpcap(8) with the same text (the manual
# may say more after it), and in the README; each setting the extcap
# offers Wireshark is in xdpcap-extcap(1) with its tooltip's text. Both
# are made from one table of options (lib/frontend/options.c); this
# keeps the manuals from drifting from it. The README is what a user needs, at most 450 lines; the design,
# the tests, the benchmarks and the details of capture are in doc/*.md,
# and every link between them leads to a file and a heading that exist.
# Needs no root.
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TOP_BUILDDIR:-$top}
. "$top/tests/lib/tap.sh"

tmp=$(mktemp -d /tmp/xdpcap-docs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# a manual page as one line of plain text: macros dropped, their words
# kept (.BR a b is "ab"), font changes and escapes undone, blanks squeezed
man_text() {
	perl -ne '
		chomp;
		next if /^\.\\"/;
		if (/^\.(B|I|SM)\s+(.*)/) { $_ = $2; s/"//g; }
		elsif (/^\.(BR|RB|IR|RI|BI|IB)\s+(.*)/) {
			my @w = ($2 =~ /"([^"]*)"|(\S+)/g);
			$_ = join "", grep { defined } @w;
		}
		elsif (/^\./) { $_ = ""; }
		s/\\f[BIRP]//g; s/\\-/-/g; s/\\e/\\/g; s/\\\(em/--/g; s/\\&//g;
		print "$_ ";
	' "$1" | tr -s ' \t' '  '
}

# `--help` options, one a line: "FLAGS<TAB>TEXT"
help_options() {
	awk '
		/^Options:/ { on = 1; next }
		on && /^$/ { on = 0 }
		!on { next }
		/^  / && substr($0, 1, 25) !~ /^ +$/ {
			if (flags != "") print flags "\t" text
			flags = substr($0, 1, 24); sub(/^ +/, "", flags); sub(/ +$/, "", flags)
			text = substr($0, 26); next
		}
		{ t = $0; sub(/^ +/, "", t); text = text " " t }
		END { if (flags != "") print flags "\t" text }
	'
}

# is TEXT (case aside for its first letter) in FILE, blanks squeezed
says() {
	_text=$(printf '%s' "$2" | tr -s ' ' ' ')
	_first=$(printf '%s' "$_text" | cut -c1)
	_rest=$(printf '%s' "$_text" | cut -c2-)
	_upper=$(printf '%s' "$_first" | tr '[:lower:]' '[:upper:]')
	grep -qF -e "$_first$_rest" -e "$_upper$_rest" "$1"
}

man_text "$build/doc/xdpcap.8" >"$tmp/xdpcap.8.txt"
man_text "$build/doc/xdpcap-extcap.1" >"$tmp/extcap.1.txt"
"$build/xdpcap" --help | help_options >"$tmp/options"
[ "$(wc -l <"$tmp/options")" -ge 20 ]
check $? "xdpcap --help lists $(wc -l <"$tmp/options") options"

missing=
while IFS="$(printf '\t')" read -r flags text; do
	says "$tmp/xdpcap.8.txt" "$text" || missing="$missing [$flags]"
done <"$tmp/options"
[ -z "$missing" ]
check $? "xdpcap(8) gives each option the text of --help" "not for$missing"

missing=
for opt in $(cut -f1 "$tmp/options" | grep -o -- '--[a-z-]*'); do
	grep -qF -- "$opt" "$top/README.md" || missing="$missing $opt"
done
[ -z "$missing" ]
check $? "the README names each long option of --help" "missing:$missing"

"$build/xdpcap-extcap" --extcap-interface xdp:x --extcap-config >"$tmp/config"
missing=
n=0
while read -r line; do
	call=$(printf '%s\n' "$line" | sed -n 's/.*{call=\([^}]*\)}.*/\1/p')
	tip=$(printf '%s\n' "$line" | sed -n 's/.*{tooltip=\([^}]*\)}.*/\1/p')
	[ -n "$call" ] || continue
	n=$((n + 1))
	grep -qF -- "$call" "$tmp/extcap.1.txt" && says "$tmp/extcap.1.txt" "$tip" ||
		missing="$missing [$call]"
done <"$tmp/config"
[ "$n" -ge 5 ] && [ -z "$missing" ]
check $? "xdpcap-extcap(1) names each of the $n settings with its tooltip's text" "not for$missing"

# the same meaning everywhere: the ring is one for all CPUs (grep's 1 is
# "none found"; 2, an error, fails)
grep -n -i -e 'ring per CPU' -e 'per-CPU ring' -e '-B.*per CPU' \
	"$top/README.md" "$top"/doc/*.md "$top"/doc/*.in "$top"/pcap-module/*.[ch] >"$tmp/percpu"
[ $? -eq 1 ]
check $? "nothing calls the capture ring per CPU" "" "$tmp/percpu"

# the manual pages are one set: one date on all of them
dates=$(sed -n 's/^\.TH [^ ]* [0-9] "\([^"]*\)".*/\1/p' "$top"/doc/*.[0-9].in | sort -u)
[ "$(echo "$dates" | wc -l)" -eq 1 ] && [ -n "$dates" ]
check $? "the manual pages carry one date ($(echo $dates))"

lines=$(wc -l <"$top/README.md")
[ "$lines" -le 450 ]
check $? "the README has at most 450 lines" "it has $lines; the details go to doc/*.md"

# each relative link of the README and of doc/*.md: the file it names
# exists, and the part after '#' is a heading of that file, as GitHub
# makes anchors (lowercase, blanks to '-', punctuation but '-' and '_'
# dropped, -1, -2 ... after repeated headings); headings and links in
# fenced code do not count. Prints "links N" then what does not resolve.
# shellcheck disable=SC2016
check_links='
	use strict; use warnings;
	my (%anchors, $n);
	sub anchors {
		my ($f) = @_;
		return $anchors{$f} if $anchors{$f};
		my (%a, %seen); my $fence = 0;
		open(my $fh, "<", $f) or die "$f: $!";
		while (<$fh>) {
			if (/^\s*(```|~~~)/) { $fence = !$fence; next; }
			next if $fence || !/^#{1,6}\s+(.*?)[\s#]*$/;
			(my $id = lc $1) =~ s/[^\w\- ]//g;
			$id =~ s/ /-/g;
			$a{$seen{$id}++ ? "$id-" . ($seen{$id} - 1) : $id} = 1;
		}
		return $anchors{$f} = \%a;
	}
	for my $f (@ARGV) {
		(my $dir = $f) =~ s,[^/]*$,,;
		open(my $fh, "<", $f) or die "$f: $!";
		my $fence = 0;
		while (my $line = <$fh>) {
			my $ln = $.;
			if ($line =~ /^\s*(```|~~~)/) { $fence = !$fence; next; }
			next if $fence;
			while ($line =~ /\]\(([^)\s]+)\)/g) {
				my $link = $1;
				next if $link =~ /^[a-z]+:/;
				$n++;
				my ($path, $anchor) = $link =~ /^([^#]*)(?:#(.*))?$/;
				my $target = $path eq "" ? $f : "$dir$path";
				if (!-e $target) { print "$f:$ln: $link: no such file\n"; next; }
				next unless defined $anchor;
				if ($target !~ /\.md$/ || !anchors($target)->{$anchor}) {
					print "$f:$ln: $link: no such heading\n";
				}
			}
		}
	}
	print "links ", $n // 0, "\n";
'
(cd "$top" && perl -e "$check_links" README.md doc/*.md) >"$tmp/links" 2>&1
n=$(sed -n 's/^links //p' "$tmp/links")
grep -v '^links ' "$tmp/links" >"$tmp/badlinks"
[ "${n:-0}" -ge 20 ] && [ ! -s "$tmp/badlinks" ]
check $? "the ${n:-0} links of the README and doc/*.md lead to files and headings that exist" \
	"$(wc -l <"$tmp/badlinks") do not" "$tmp/badlinks"

missing=
for f in "$top"/doc/*.md; do
	grep -qF "](doc/${f##*/}" "$top/README.md" || missing="$missing doc/${f##*/}"
done
[ -z "$missing" ] && ls "$top"/doc/*.md >/dev/null 2>&1 &&
	grep -q '](#[a-z]' "$top/README.md" && grep -q '](doc/[a-z]*\.md#[a-z]' "$top/README.md"
check $? "the README links to each doc/*.md, to its own sections and to theirs" "not linked:$missing"
tap_done
