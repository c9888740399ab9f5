/* SPDX-License-Identifier: GPL-2.0 */
/* lrmodel: empty; what the posted code uses from it is in src/kernel/kshim.h */
