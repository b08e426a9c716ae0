// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - placeholder until implemented: replaced by the real module */

#include "netlink.h"

int nl_sock = -1;
int nl_sock_ns = -1;
