#include "cli.h"
int cmd_report(const struct opts *o) { (void)o; return 1; }
int cmd_calib(const struct opts *o) { (void)o; return 1; }
int cmd_check(const struct opts *o) { (void)o; return 1; }
