/* slicing.py: a period cut where the active element can change, its volumes shared out. */
#ifndef EVSENET_KERNEL_SLICE_H
#define EVSENET_KERNEL_SLICE_H

#include "_kernel_prepare.h"

static i128 gcd128(i128 a, i128 b) {
    a = iabs128(a);
    b = iabs128(b);
    while (b != 0) {
        i128 r = a % b;
        a = b;
        b = r;
    }
    return a;
}

static ratio ratio_make(i128 n, i128 d) {
    i128 g = gcd128(n, d);
    ratio r = {g > 1 ? n / g : n, g > 1 ? d / g : d};
    return r;
}

static int ratio_cmp(ratio a, ratio b, int *fail) {
    i128 x, y;
    if (a.d == b.d) return (a.n > b.n) - (a.n < b.n);
    if (__builtin_mul_overflow(a.n, b.d, &x) || __builtin_mul_overflow(b.n, a.d, &y)) {
        *fail = __LINE__;
        return 0;
    }
    return (x > y) - (x < y);
}

static ratio ratio_sub(ratio a, ratio b, int *fail) {
    i128 x, y, d;
    if (a.d == 1 && b.d == 1) return (ratio){a.n - b.n, 1};
    if (__builtin_mul_overflow(a.n, b.d, &x) || __builtin_mul_overflow(b.n, a.d, &y) ||
        __builtin_mul_overflow(a.d, b.d, &d)) {
        *fail = __LINE__;
        return (ratio){0, 1};
    }
    return ratio_make(x - y, d);
}

/* A Decimal as an exact fraction. */
static ratio dec_ratio(dec x, int *fail) {
    if (x.e >= 0) return (ratio){scale_up(x.c, x.e, fail), 1};
    if (-x.e > POW10_MAX) {
        *fail = __LINE__;
        return (ratio){0, 1};
    }
    return ratio_make(x.c, POW10[-x.e]);
}

static void add_cut(ratio *cuts, int *n, ratio r, int *fail) {
    for (int i = 0; i < *n; i++)
        if (ratio_cmp(cuts[i], r, fail) == 0) return;
    if (*n >= MAX_POSITIONS) {
        *fail = __LINE__;
        return;
    }
    cuts[(*n)++] = r;
}

static inline long long floor_div(long long a, long long b) {
    long long q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* slicing._part: volume × width / total, kept to 10⁻¹⁵ (half-even). */
static dec part(dec volume, ratio width, long long total, int *fail) {
    if (volume.c == 0 || width.n == 0) return DEC_ZERO;
    i128 divisor;
    if (__builtin_mul_overflow(width.d, (i128)total, &divisor)) {
        *fail = __LINE__;
        return DEC_ZERO;
    }
    dec exact = dec_div(dec_mul(volume, dec_make(width.n, 0), fail), dec_make(divisor, 0), fail);
    return dec_quantize(exact, -15, HALF_EVEN, fail);
}

/* The UTC offset zoneinfo gives the local wall time `wall` (microseconds since 1970-01-01
 * 00:00 local) with `fold` 0 or 1 (PEP 495: in a gap or a repeated hour, fold 0 takes the
 * offset before the change, fold 1 the one after). */
static int wall_offset(const zone_table *z, long long wall, int fold, long long *out) {
    const long long margin = 2 * DAY_MICROS;
    long long j;
    if (!offset_at(z, wall - margin, &j) || wall + margin >= z->hi) return 0;
    int i = 0;
    while (i + 1 < z->n && z->at[i + 1] <= wall - margin) i++;
    for (; i + 1 < z->n; i++) {
        long long before = z->offset[i], after = z->offset[i + 1];
        long long boundary = z->at[i + 1] + (fold == 0 ? (before > after ? before : after)
                                                       : (before < after ? before : after));
        if (boundary > wall) break;
    }
    *out = z->offset[i];
    return 1;
}

/* slicing._local_cuts: where local time passes a time of day the tariff names. */
static void local_cuts(state *s, long long start, long long end, ratio *cuts, int *n) {
    const tariff *t = s->t;
    const zone_table *z = s->z;
    long long total = end - start, offset, end_offset;
    if (!offset_at(z, start, &offset) || !offset_at(z, end, &end_offset)) {
        s->fail = __LINE__;
        return;
    }
    if (offset == end_offset && total < FAST_SPAN) {
        long long local = start + offset;
        long long since_midnight = local - floor_div(local, DAY_MICROS) * DAY_MICROS;
        for (long long day = -since_midnight; day < total; day += DAY_MICROS)
            for (int i = 0; i < t->n_moments; i++) {
                long long position = day + t->moments[i];
                if (0 < position && position < total)
                    add_cut(cuts, n, (ratio){position, 1}, &s->fail);
            }
        return;
    }
    /* the offset changes: every time of day in both readings, and the changes themselves
     * (two changes within two days, which the reference's day-by-day search could miss,
     * are declined) */
    long long first = floor_div(start + offset, DAY_MICROS) - 1;
    long long last = floor_div(end + end_offset, DAY_MICROS);
    for (long long day = first; day <= last && !s->fail; day++)
        for (int i = 0; i < t->n_moments; i++)
            for (int fold = 0; fold < 2; fold++) {
                long long wall = day * DAY_MICROS + t->moments[i], shift;
                if (!wall_offset(z, wall, fold, &shift)) {
                    s->fail = __LINE__;
                    return;
                }
                long long position = wall - shift - start;
                if (0 < position && position < total)
                    add_cut(cuts, n, (ratio){position, 1}, &s->fail);
            }
    for (int i = 1; i < z->n; i++) {
        long long position = z->at[i] - start;
        if (z->at[i] >= start - 2 * DAY_MICROS && z->at[i] <= end + 2 * DAY_MICROS &&
            i + 1 < z->n && z->at[i + 1] - z->at[i] < 2 * DAY_MICROS)
            s->fail = __LINE__;
        if (0 < position && position < total) add_cut(cuts, n, (ratio){position, 1}, &s->fail);
    }
}

/* slicing.slice_periods for one period. */
static void slice_period(state *s, int index, dec *energy_before) {
    const tariff *t = s->t;
    const period *p = &s->periods[index];
    long long start = p->start, total = p->end - p->start;
    ratio cuts[MAX_POSITIONS];
    int n = 0;
    if (total > 0) {
        if (t->uses_local_time) local_cuts(s, start, p->end, cuts, &n);
        long long since = start - s->session_start;
        for (int i = 0; i < t->n_durations; i++) {
            long long position = t->durations[i] * 1000000LL - since;
            if (0 < position && position < total) add_cut(cuts, &n, (ratio){position, 1}, &s->fail);
        }
        /* evsenet's extension: charging end + every duration after charging */
        long long since_end = start - s->charging_end;
        for (int i = 0; i < t->n_after; i++) {
            long long position = t->after[i] * 1000000LL - since_end;
            if (0 < position && position < total) add_cut(cuts, &n, (ratio){position, 1}, &s->fail);
        }
        dec energy = p->vol[0];
        if (dec_sign(energy) > 0 && t->n_kwh > 0) {
            dec reached = dec_add(*energy_before, energy, &s->fail);
            for (int i = 0; i < t->n_kwh; i++) {
                dec threshold = t->kwh[i];
                if (dec_cmp(*energy_before, threshold, &s->fail) < 0 &&
                    dec_cmp(threshold, reached, &s->fail) < 0) {
                    ratio a = dec_ratio(dec_sub(threshold, *energy_before, &s->fail), &s->fail);
                    ratio b = dec_ratio(energy, &s->fail);
                    i128 num, den;
                    if (__builtin_mul_overflow(a.n, b.d, &num) ||
                        __builtin_mul_overflow(num, (i128)total, &num) ||
                        __builtin_mul_overflow(a.d, b.n, &den)) {
                        s->fail = __LINE__;
                        return;
                    }
                    add_cut(cuts, &n, ratio_make(num, den), &s->fail);
                }
            }
        }
    }
    if (s->fail) return;
    /* sort the cuts (few: insertion sort) */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && ratio_cmp(cuts[j - 1], cuts[j], &s->fail) > 0; j--) {
            ratio swap = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = swap;
        }
    if (s->n_slices + n + 1 > MAX_SLICES) {
        s->fail = __LINE__;
        return;
    }
    dec used[3] = {DEC_ZERO, DEC_ZERO, DEC_ZERO};
    ratio low = {0, 1};
    long long low_at = start;
    for (int k = 0; k <= n; k++) {
        slice *piece = &s->slices[s->n_slices++];
        piece->period = index;
        piece->start = low_at;
        piece->energy_before = *energy_before;
        if (k < n) {
            ratio width = ratio_sub(cuts[k], low, &s->fail);
            for (int v = 0; v < 3; v++) {
                piece->vol[v] = part(p->vol[v], width, total, &s->fail);
                used[v] = dec_add(used[v], piece->vol[v], &s->fail);
            }
            low = cuts[k];
            low_at = start + (long long)(cuts[k].n / cuts[k].d);
        } else {
            for (int v = 0; v < 3; v++)
                piece->vol[v] = n == 0 ? p->vol[v] : dec_sub(p->vol[v], used[v], &s->fail);
        }
        *energy_before = dec_add(*energy_before, piece->vol[0], &s->fail);
    }
}


#endif
