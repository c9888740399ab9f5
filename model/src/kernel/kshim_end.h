/* SPDX-License-Identifier: GPL-2.0 */
/* The end of the kernel environment of posted.c (see kshim.h). */
#undef lockref
#undef READ_ONCE
#undef atomic_read
#undef arch_atomic_read
#undef BUILD_BUG_ON
