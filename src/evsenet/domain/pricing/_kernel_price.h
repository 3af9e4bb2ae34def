/* engine.py, compiled.py and bounds.py: matching, step_size, groups, min/max price, totals. */
#ifndef EVSENET_KERNEL_PRICE_H
#define EVSENET_KERNEL_PRICE_H

#include "_kernel_slice.h"

enum { M_YES, M_NO, M_NO_DATA };

static int in_window(long long low, long long end, long long at) {
    if (low < 0) low = 0;
    if (end < 0 || end == 0) return at >= low;
    if (low < end) return low <= at && at < end;
    return at >= low || at < end;
}

static int above_or_equal(const opt_dec *bound, dec value, int *fail) {
    return !bound->has || dec_cmp(value, bound->v, fail) >= 0;
}

static int below(const opt_dec *bound, dec value, int *fail) {
    return !bound->has || dec_cmp(value, bound->v, fail) < 0;
}

/* compiled.restriction_match for a slice that is not reservation time. */
static int restriction_match(state *s, const element *r, const slice *piece) {
    const period *p = &s->periods[piece->period];
    if (r->start_time >= 0 || r->end_time >= 0 || r->weekdays || r->has_start_date ||
        r->has_end_date) {
        long long offset;
        if (!offset_at(s->z, piece->start, &offset)) {
            s->fail = __LINE__;
            return M_NO;
        }
        long long local = piece->start + offset;
        long long day = floor_div(local, DAY_MICROS);
        long long moment = local - day * DAY_MICROS;
        if ((r->start_time >= 0 || r->end_time >= 0) &&
            !in_window(r->start_time, r->end_time, moment))
            return M_NO;
        if (r->weekdays && !(r->weekdays & (1 << (int)(((day + 3) % 7 + 7) % 7)))) return M_NO;
        if (r->has_start_date && day < r->start_date) return M_NO;
        if (r->has_end_date && day >= r->end_date) return M_NO;
    }
    if (!above_or_equal(&r->min_kwh, piece->energy_before, &s->fail) ||
        !below(&r->max_kwh, piece->energy_before, &s->fail))
        return M_NO;
    long long since = piece->start - s->session_start;
    if (r->min_duration >= 0 && since < r->min_duration * 1000000LL) return M_NO;
    if (r->max_duration >= 0 && since >= r->max_duration * 1000000LL) return M_NO;
    if (r->min_after >= 0 || r->max_after >= 0) {
        /* a slice that starts before the charging end has no time since it: NO */
        if (piece->start < s->charging_end) return M_NO;
        long long since_end = piece->start - s->charging_end;
        if ((r->min_after >= 0 && since_end < r->min_after * 1000000LL) ||
            (r->max_after >= 0 && since_end >= r->max_after * 1000000LL))
            return M_NO;
    }
    if (r->min_current.has || r->max_current.has) {
        if (!p->has_current) return M_NO_DATA;
        if (!above_or_equal(&r->min_current, p->current, &s->fail) ||
            !below(&r->max_current, p->current, &s->fail))
            return M_NO;
    }
    if (r->min_power.has || r->max_power.has) {
        if (!p->has_power) return M_NO_DATA;
        if (!above_or_equal(&r->min_power, p->power, &s->fail) ||
            !below(&r->max_power, p->power, &s->fail))
            return M_NO;
    }
    return M_YES;
}

static const dec ONE = {1, 0};

static dec quantity(const slice *piece, int dim) {
    switch (dim) {
    case D_ENERGY: return piece->vol[0];
    case D_TIME: return piece->vol[1];
    case D_PARKING: return piece->vol[2];
    default: return ONE;
    }
}

static void match(state *s, int index) {
    static const int ORDER[NDIM] = {D_ENERGY, D_TIME, D_PARKING, D_FLAT};
    const slice *piece = &s->slices[index];
    if (dec_sign(s->periods[piece->period].vol[3]) > 0) {
        /* reservation time: without reservation elements (the kernel's tariffs), every
         * element is skipped or answers NO, so nothing prices the slice */
        for (int d = 0; d < NDIM; d++) s->matched[index][d] = -1;
        return;
    }
    int answers[MAX_ELEMENTS];
    for (int i = 0; i < s->t->n_elements; i++) answers[i] = -1;
    for (int o = 0; o < NDIM; o++) {
        int dim = ORDER[o], found = -1;
        for (int c = 0; c < s->t->n_cand[dim]; c++) {
            int e = s->t->cand[dim][c];
            if (answers[e] < 0) answers[e] = restriction_match(s, &s->t->elements[e], piece);
            if (answers[e] == M_YES) {
                found = e;
                break;
            }
            if (answers[e] == M_NO_DATA && dec_sign(quantity(piece, dim)) > 0)
                s->fail = __LINE__; /* the reference warns restriction.data_missing */
        }
        s->matched[index][dim] = found;
    }
}

static void add_to_group(state *s, int dim, int element, dec amount) {
    for (int i = 0; i < s->n_groups; i++)
        if (s->groups[i].dim == dim && s->groups[i].element == element) {
            s->groups[i].quantity = dec_add(s->groups[i].quantity, amount, &s->fail);
            return;
        }
    if (s->n_groups >= MAX_GROUPS) {
        s->fail = __LINE__;
        return;
    }
    s->groups[s->n_groups++] = (group){dim, element, amount};
}

static void round_step(state *s, const pending_t *p) {
    const component *c = &s->t->elements[p->element].comp[p->dim];
    dec factor = dec_make(p->dim == D_ENERGY ? 1000 : 3600, 0);
    dec step = dec_make(c->step, 0);
    dec units = dec_quantize(dec_mul(p->quantity, factor, &s->fail), -6, HALF_EVEN, &s->fail);
    dec billed = dec_mul(dec_ceiling(dec_div(units, step, &s->fail), &s->fail), step, &s->fail);
    dec extra = dec_sub(billed, units, &s->fail);
    if (dec_sign(extra) > 0)
        add_to_group(s, p->dim, p->element, dec_div(extra, factor, &s->fail));
}

static int pending_find(state *s, int dim) {
    for (int i = 0; i < s->n_pending; i++)
        if (s->pending[i].dim == dim) return i;
    return -1;
}

static pending_t pending_pop(state *s, int i) {
    pending_t p = s->pending[i];
    memmove(&s->pending[i], &s->pending[i + 1], (s->n_pending - i - 1) * sizeof(pending_t));
    s->n_pending--;
    return p;
}

static dec with_vat(dec net, const component *c, int *fail) {
    if (!c->has_vat) return net;
    return dec_add(net, dec_div(dec_mul(net, c->vat, fail), dec_make(100, 0), fail), fail);
}

typedef struct {
    dec excl, incl;
} cost;

/* bounds._move */
static cost move_total(state *s, cost total, const dec *excl, const dec *incl) {
    if (excl != NULL && incl != NULL) return (cost){*excl, *incl};
    if (excl != NULL) {
        if (dec_sign(total.excl) <= 0) {
            s->fail = __LINE__; /* the reference warns price.bound_vat_unknown */
            return total;
        }
        dec moved = dec_div(dec_mul(total.incl, *excl, &s->fail), total.excl, &s->fail);
        return (cost){*excl, moved};
    }
    if (dec_sign(total.incl) <= 0) {
        s->fail = __LINE__;
        return total;
    }
    dec moved = dec_div(dec_mul(total.excl, *incl, &s->fail), total.incl, &s->fail);
    return (cost){moved, *incl};
}

/* bounds.apply_bounds; returns 0 (no adjustment), 1 (min_price) or 2 (max_price). */
static int apply_bounds(state *s, cost *total) {
    int adjustment = 0;
    for (int kind = 1; kind <= 2; kind++) {
        const bound *b = kind == 1 ? &s->t->min_price : &s->t->max_price;
        if (!(kind == 1 ? s->t->has_min : s->t->has_max)) continue;
        int sign = kind == 1 ? -1 : 1;
        const dec *excl = b->has_excl && dec_cmp(total->excl, b->excl, &s->fail) == sign
                              ? &b->excl
                              : NULL;
        const dec *incl = b->has_incl && dec_cmp(total->incl, b->incl, &s->fail) == sign
                              ? &b->incl
                              : NULL;
        if (excl == NULL && incl == NULL) continue;
        if (!b->has_excl || !b->has_incl) {
            *total = move_total(s, *total, excl, incl);
        } else {
            *total = (cost){excl ? *excl : total->excl, incl ? *incl : total->incl};
        }
        adjustment = kind;
    }
    return adjustment;
}

static PyObject *int_of(dec x, int exp, int *fail) {
    dec q = dec_quantize(x, exp, HALF_EVEN, fail);
    if (*fail || dec_cmp(q, x, fail) != 0 || iabs128(q.c) > (i128)LLONG_MAX) {
        *fail = __LINE__;
        return NULL;
    }
    return PyLong_FromLongLong((long long)q.c);
}

/* The session's totals as a tuple of ints, or Py_None when not handled. */
static PyObject *price_one(state *s, PyObject *session) {
    s->fail = 0;
    s->n_slices = s->n_groups = s->n_pending = 0;
    if (!read_session(s, session)) {
        if (PyErr_Occurred()) PyErr_Clear();
        Py_RETURN_NONE;
    }
    dec energy_before = DEC_ZERO;
    for (int i = 0; i < s->n_periods && !s->fail; i++) slice_period(s, i, &energy_before);
    for (int i = 0; i < s->n_slices && !s->fail; i++) match(s, i);
    if (s->fail) Py_RETURN_NONE;
    static const int STEPPED[3] = {D_ENERGY, D_TIME, D_PARKING};
    unsigned char flat_charged[MAX_ELEMENTS];
    memset(flat_charged, 0, (size_t)s->t->n_elements);
    int last = s->n_slices - 1;
    for (int index = 0; index <= last && !s->fail; index++) {
        const slice *piece = &s->slices[index];
        int flat = s->matched[index][D_FLAT];
        if (flat >= 0 && !flat_charged[flat]) {
            flat_charged[flat] = 1;
            add_to_group(s, D_FLAT, flat, ONE);
        }
        for (int k = 0; k < 3; k++) {
            int dim = STEPPED[k];
            dec q = quantity(piece, dim);
            int element = s->matched[index][dim];
            if (dec_sign(q) <= 0 || element < 0) continue;
            add_to_group(s, dim, element, q);
            int open = pending_find(s, dim);
            if (open < 0) {
                s->pending[s->n_pending++] = (pending_t){dim, q, index, element};
            } else {
                pending_t *p = &s->pending[open];
                p->quantity = dec_add(p->quantity, q, &s->fail);
                p->slice_index = index;
                p->element = element;
            }
        }
        if (index < last) {
            int closing[NDIM], n_closing = 0;
            for (int i = 0; i < s->n_pending; i++)
                if (s->matched[index + 1][s->pending[i].dim] < 0)
                    closing[n_closing++] = s->pending[i].dim;
            for (int i = 0; i < n_closing; i++) {
                pending_t p = pending_pop(s, pending_find(s, closing[i]));
                round_step(s, &p);
            }
        }
    }
    int open = pending_find(s, D_ENERGY);
    if (open >= 0) {
        pending_t p = pending_pop(s, open);
        round_step(s, &p);
    }
    if (s->n_pending > 0) {
        /* the one billed last; at a tie PARKING_TIME after TIME (_TIME_FAMILY order) */
        int best = 0;
        for (int i = 1; i < s->n_pending; i++) {
            const pending_t *a = &s->pending[i], *b = &s->pending[best];
            if (a->slice_index > b->slice_index ||
                (a->slice_index == b->slice_index && a->dim == D_PARKING))
                best = i;
        }
        round_step(s, &s->pending[best]);
    }
    cost exact[NDIM];
    for (int d = 0; d < NDIM; d++) exact[d] = (cost){DEC_ZERO, DEC_ZERO};
    cost total = {DEC_ZERO, DEC_ZERO};
    for (int i = 0; i < s->n_groups && !s->fail; i++) {
        const group *g = &s->groups[i];
        const component *c = &s->t->elements[g->element].comp[g->dim];
        dec excl = dec_mul(g->quantity, c->price, &s->fail);
        dec incl = with_vat(excl, c, &s->fail);
        exact[g->dim].excl = dec_add(exact[g->dim].excl, excl, &s->fail);
        exact[g->dim].incl = dec_add(exact[g->dim].incl, incl, &s->fail);
        total.excl = dec_add(total.excl, excl, &s->fail);
        total.incl = dec_add(total.incl, incl, &s->fail);
    }
    int adjustment = s->fail ? 0 : apply_bounds(s, &total);
    dec sums[4] = {DEC_ZERO, DEC_ZERO, DEC_ZERO, DEC_ZERO};
    for (int i = 0; i < s->n_periods; i++)
        for (int v = 0; v < 4; v++) sums[v] = dec_add(sums[v], s->periods[i].vol[v], &s->fail);
    dec total_time = dec_add(sums[1], sums[2], &s->fail);
    if (s->fail) Py_RETURN_NONE;
    int q = s->t->quantum_exp;
    cost costs[5] = {total, exact[D_ENERGY], exact[D_TIME], exact[D_PARKING], exact[D_FLAT]};
    dec values[10];
    for (int i = 0; i < 5; i++) {
        values[2 * i] = dec_quantize(costs[i].excl, q, HALF_UP, &s->fail);
        values[2 * i + 1] = dec_quantize(costs[i].incl, q, HALF_UP, &s->fail);
    }
    if (s->fail) Py_RETURN_NONE;
    PyObject *result = PyTuple_New(19);
    if (result == NULL) return NULL;
    for (int i = 0; i < 10; i++) {
        PyObject *item = int_of(values[i], q, &s->fail);
        if (item == NULL) goto not_handled;
        PyTuple_SET_ITEM(result, i, item);
    }
    PyTuple_SET_ITEM(result, 10, PyLong_FromLong(adjustment));
    dec quantities[4] = {sums[0], total_time, sums[2], sums[3]};
    for (int i = 0; i < 4; i++) {
        i128 coefficient = quantities[i].c;
        PyObject *item = iabs128(coefficient) <= (i128)LLONG_MAX
                             ? PyLong_FromLongLong((long long)coefficient)
                             : _PyLong_FromByteArray((const unsigned char *)&coefficient,
                                                     sizeof coefficient, 1, 1);
        if (item == NULL) goto not_handled;
        PyTuple_SET_ITEM(result, 11 + 2 * i, item);
        if ((item = PyLong_FromLong(quantities[i].e)) == NULL) goto not_handled;
        PyTuple_SET_ITEM(result, 12 + 2 * i, item);
    }
    return result;
not_handled:
    Py_DECREF(result);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

#endif
