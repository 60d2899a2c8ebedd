# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The programs make built, run directly. The caller sets $build.
#
#   . "$top/tests/lib/built.sh"     (exports the library's path)
#   xdpcap=$(built_program xdpcap)
#
# In a shared-library build, libtool's "xdpcap" is a wrapper script that
# sets the library path and runs the real program in .libs; it forks a
# dozen times a run, seconds in an emulated guest. Tests run the real
# program with the same library path instead.

if [ -d "$build/lib/.libs" ]; then
	LD_LIBRARY_PATH=$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
fi

# built_program NAME: the path of the program NAME that make built
built_program() {
	if [ -x "$build/.libs/$1" ] && [ -d "$build/lib/.libs" ]; then
		echo "$build/.libs/$1"
	else
		echo "$build/$1"
	fi
}
