#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/kernels/filter_sample.sh FILTERS: the part of the filter corpus
# FILTERS that the guest kernels run: every 8th filter, and every
# protochain filter (the loops).
grep -v -e '^#' -e '^[[:space:]]*$' "${1:?usage: filter_sample.sh FILTERS}" |
	awk 'NR % 8 == 1 || /protochain/'
