/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minifw: everything of the rule engine its users need (minifw.c, proc.c,
 * the tests and benchmarks): the rule language (rules.h), rulesets and their
 * counters (ruleset.h, counter.h), the packet path (walk.h) and the write
 * protocol (writer.h). Extensions see include/ext.h.
 *
 * The rule engine (rules.c, syntax.c, ext.c, ext/, ruleset.c, counter.c,
 * compile.c, walk.c, writer.c) takes no locks and knows nothing of procfs,
 * so it also builds in user space (see include/minifw_user.h) for unit
 * tests, fuzzing and benchmarks.
 */
#ifndef MINIFW_H
#define MINIFW_H

#include "rules.h"
#include "counter.h"
#include "walk.h"
#include "ruleset.h"
#include "writer.h"

#endif /* MINIFW_H */
