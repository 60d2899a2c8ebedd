#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/kernels/filter_sample.sh FILTERS [STEP]: the part of the filter
# corpus FILTERS that the guest kernels run: every STEPth filter (default
# 8), and every protochain filter (the loops).
grep -v -e '^#' -e '^[[:space:]]*$' "${1:?usage: filter_sample.sh FILTERS [STEP]}" |
	awk -v step="${2:-8}" 'NR % step == 1 || /protochain/'
