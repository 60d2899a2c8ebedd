/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The helpers capture programs call, as this kernel's verifier allows
 * them in XDP programs (kernel_helpers.c). Not installed.
 */
#ifndef XDPCAP_KERNEL_HELPERS_H
#define XDPCAP_KERNEL_HELPERS_H

#include <stdbool.h>

/* The probe's answer for helper func (BPF_FUNC_*), probed at the first
 * question; false where it cannot be probed. */
bool kernel_helper_allowed(int func);

/*
 * 0 if every helper no capture can do without is allowed; else -errno
 * with one sentence naming the first refused one. For `xdpcap features`,
 * and to say why a capture program was refused.
 */
int kernel_helpers_required(char *errbuf);

#endif
