"""Adversarial cases: control flow mixed with aliasing and mutation — in-place updates in branches on aliases
made in the other branch, loops whose body aliases the previous iteration's array, loops whose trip count
depends on a value changed through an alias, lists grown while iterated, early returns of aliases,
``try``/``with``/``for ... else``/walrus/``global``/``nonlocal``/``del``."""

import numpy as np
from soundness_check import registry

case, add = registry("control")

X = np.array([0.3, -0.7, 1.2])
XN = np.array([-0.3, -0.7, 1.2])     # takes the other branch of the cases that test x[0] > 0
M = np.array([[0.3, -0.7, 1.2], [0.5, 0.9, -0.4]])
COUNTER = [0]


def _bump(total):
    total += 1.0
    return total


@case(args=(X,), smooth=True)
def branch_alias_then_inplace(x):
    a = x * 2.0
    if x[0] > 0:
        b = a
    else:
        b = a.copy()
    b += x
    return np.sum(a * x)


@case(args=(XN,), smooth=True, name="branch_alias_then_inplace_other_branch")
def branch_alias_then_inplace_other(x):
    a = x * 2.0
    if x[0] > 0:
        b = a
    else:
        b = a.copy()
    b += x
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def inplace_inside_branch_on_outer_alias(x):
    a = np.sin(x)
    b = a
    if x[2] > 1.0:
        b *= x
    else:
        b = b * 2.0
    return np.sum(a + b)


@case(args=(X,), smooth=True)
def conditional_expression_alias(x):
    a = x * x
    b = a if x[1] < 0 else a.copy()
    b *= 3.0
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def loop_prev_aliases_current(x):
    h = x * 1.0
    prev = h
    for i in range(3):
        prev = h
        h[i] = prev[i - 1] * x[i]
    return np.sum(h * prev)


@case(args=(X,), smooth=True)
def loop_prev_rebound_not_aliased(x):
    h = x * 1.0
    prev = h
    for i in range(3):
        prev = h
        h = h * x + prev[i]
    return np.sum(h * prev)


@case(args=(M,), smooth=True)
def loop_rows_written_in_place(m):
    a = m.copy()
    for row in a:
        row *= row
    return np.sum(a * m)


@case(args=(X,), smooth=True)
def enumerate_inplace_on_list_arrays(x):
    l = [x * 1.0, x * 2.0]
    for i, v in enumerate(l):
        v += i * x * x
    return np.sum(l[1] * l[0])


@case(args=(X,), smooth=True)
def while_appending_to_list(x):
    l = [x]
    while len(l) < 4:
        l.append(l[-1] * x)
    return np.sum(l[-1] + l[1])


@case(args=(X,))
def while_condition_on_alias(x):
    a = x * 1.0
    b = a
    n = 0
    while a[0] < 2.0 and n < 10:
        b += 0.5
        n += 1
    return np.sum(a * x) + n


@case(args=(X,))
def for_break_on_mutated_alias(x):
    a = x * 1.0
    b = a
    for i in range(10):
        if a[2] > 3.0:
            break
        b *= 1.5
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def list_grown_while_iterated(x):
    l = [x]
    for v in l:
        if len(l) < 4:
            l.append(v * 0.5 + x)
    return np.sum(l[-1] * x)


@case(args=(X,), smooth=True)
def continue_skips_inplace(x):
    a = x * 1.0
    for i in range(4):
        if i % 2 == 0:
            continue
        a *= x
    return np.sum(a)


@case(args=(X,), smooth=True)
def nested_loops_append_in_branch(x):
    l = []
    for i in range(2):
        for j in range(2):
            if i != j:
                l.append(x * (i + 1.0) + j)
    return np.sum(l[0] * l[1])


@case(args=(X,), smooth=True)
def early_return_of_alias(x):
    a = x * 2.0
    b = a
    if x[1] < 0:
        b[0] = x[2] ** 2
        return np.sum(a * x)
    return np.sum(b)


@case(args=(X,), smooth=True)
def early_return_inside_loop_after_mutation(x):
    a = x * 1.0
    for i in range(3):
        a[i] = a[i] * a[i - 1]
        if i == 1:
            return np.sum(a * x)
    return np.sum(a)


@case(args=(X,), smooth=True)
def try_except_block(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return np.sum(y * y)


@case(args=(X,), smooth=True)
def try_finally_mutation(x):
    a = x * 1.0
    try:
        a *= x
    finally:
        a += 1.0
    return np.sum(a * x)


@case(args=(X,), smooth=True)
def with_errstate_block(x):
    with np.errstate(divide="ignore"):
        y = x / 2.0
    return np.sum(y * x)


@case(args=(X,), smooth=True)
def for_else_clause(x):
    total = x * 0.0
    for i in range(3):
        total = total + x * i
    else:
        total = total * x
    return np.sum(total)


@case(args=(X,), smooth=True)
def walrus_in_condition(x):
    if (s := np.sum(x * x)) > 1.0:
        return s * 2.0
    return s


@case(args=(X,), smooth=True)
def global_statement(x):
    global COUNTER
    COUNTER = [COUNTER[0] + 1]
    return np.sum(x * x * x)


@case(args=(X,), smooth=True)
def nonlocal_in_inner_function(x):
    acc = x * 0.0

    def add(v):
        nonlocal acc
        acc = acc + v

    add(x * x)
    add(np.sin(x))
    return np.sum(acc * x)


@case(args=(X,), smooth=True)
def del_then_rebind(x):
    a = x * x
    b = a
    del a
    a = np.sin(x)
    return np.sum(a * b)


@case(args=(X,), smooth=True, helpers=(_bump,))
def helper_inplace_in_loop(x):
    t = x * 1.0
    for i in range(2):
        t = _bump(t) * x
    return np.sum(t)
