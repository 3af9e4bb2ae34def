/* Decimal arithmetic as Python's `decimal` default context does it (28 significant
 * digits, ROUND_HALF_EVEN), on a 128-bit coefficient and a base-10 exponent.
 *
 * Every operation gives the value the reference engine's Decimal operation gives; where
 * the 128-bit coefficient cannot hold an intermediate, it sets `*fail` and the session is
 * handed back to the reference engine ("not handled"). Only values matter: two Decimals
 * with the same value and different exponents behave alike in every later step the
 * engine takes (comparisons, quantize, arithmetic rounded by value).
 */
#ifndef EVSENET_KERNEL_DEC_H
#define EVSENET_KERNEL_DEC_H

#include <stdint.h>

typedef __int128 i128;

typedef struct {
    i128 c;
    int e;
} dec;

#define PREC 28
#define POW10_MAX 38

static i128 POW10[POW10_MAX + 1];

static void pow10_init(void) {
    POW10[0] = 1;
    for (int i = 1; i <= POW10_MAX; i++) POW10[i] = POW10[i - 1] * 10;
}

static inline i128 iabs128(i128 x) { return x < 0 ? -x : x; }

static inline int digits128(i128 x) {
    x = iabs128(x);
    int n = 1;
    while (n <= POW10_MAX && x >= POW10[n]) n++;
    return n;
}

static inline dec dec_make(i128 c, int e) {
    dec d = {c, e};
    return d;
}

static const dec DEC_ZERO = {0, 0};

/* x × 10^k, or fail. */
static inline i128 scale_up(i128 x, int k, int *fail) {
    i128 r;
    if (k < 0 || k > POW10_MAX || __builtin_mul_overflow(x, POW10[k], &r)) {
        *fail = 1;
        return 0;
    }
    return r;
}

/* c × 10^e rounded to PREC digits, half-even; `sticky` says a nonzero tail lies beyond c. */
static dec round_prec(i128 c, int e, int sticky) {
    if (iabs128(c) < POW10[PREC]) return dec_make(c, e);
    int n = digits128(c);
    int k = n - PREC;
    int negative = c < 0;
    i128 a = iabs128(c);
    i128 q = a / POW10[k], r = a % POW10[k];
    i128 half = POW10[k] / 2;
    if (r > half || (r == half && (sticky || (q & 1)))) q += 1;
    e += k;
    if (q == POW10[PREC]) {
        q /= 10;
        e += 1;
    }
    return dec_make(negative ? -q : q, e);
}

static inline dec dec_round(dec x) { return round_prec(x.c, x.e, 0); }

static dec dec_mul(dec a, dec b, int *fail) {
    i128 r;
    if (__builtin_mul_overflow(a.c, b.c, &r)) {
        *fail = 1;
        return DEC_ZERO;
    }
    return round_prec(r, a.e + b.e, 0);
}

static dec dec_add(dec a, dec b, int *fail) {
    if (a.c == 0) return dec_round(b);
    if (b.c == 0) return dec_round(a);
    int e = a.e < b.e ? a.e : b.e;
    i128 x = scale_up(a.c, a.e - e, fail), y = scale_up(b.c, b.e - e, fail), s;
    if (*fail || __builtin_add_overflow(x, y, &s)) {
        *fail = 1;
        return DEC_ZERO;
    }
    return round_prec(s, e, 0);
}

static inline dec dec_neg(dec a) { return dec_make(-a.c, a.e); }

static inline dec dec_sub(dec a, dec b, int *fail) { return dec_add(a, dec_neg(b), fail); }

/* -1, 0, 1 as a <, ==, > b. */
static int dec_cmp(dec a, dec b, int *fail) {
    int sa = (a.c > 0) - (a.c < 0), sb = (b.c > 0) - (b.c < 0);
    if (sa != sb) return (sa > sb) - (sa < sb);
    if (sa == 0) return 0;
    int e = a.e < b.e ? a.e : b.e;
    i128 x = scale_up(a.c, a.e - e, fail), y = scale_up(b.c, b.e - e, fail);
    if (*fail) return 0;
    return (x > y) - (x < y);
}

static inline int dec_sign(dec a) { return (a.c > 0) - (a.c < 0); }

/* a / b correctly rounded to PREC digits (b nonzero). */
static dec dec_div(dec a, dec b, int *fail) {
    if (b.c == 0) {
        *fail = 1;
        return DEC_ZERO;
    }
    if (a.c == 0) return DEC_ZERO;
    int negative = (a.c < 0) != (b.c < 0);
    i128 x = iabs128(a.c), y = iabs128(b.c);
    i128 q = x / y, r = x % y;
    int e = a.e - b.e;
    int room_r = POW10_MAX - digits128(y);      /* r < y: r × 10^room_r fits */
    while (r != 0 && digits128(q) < PREC + 2) {
        int k = PREC + 2 - digits128(q);
        if (q == 0) k = PREC + 2;
        if (k > room_r) k = room_r;
        if (k <= 0) {
            *fail = 1;
            return DEC_ZERO;
        }
        i128 qs, rs = r * POW10[k];
        if (__builtin_mul_overflow(q, POW10[k], &qs)) {
            *fail = 1;
            return DEC_ZERO;
        }
        q = qs + rs / y;
        r = rs % y;
        e -= k;
    }
    dec d = round_prec(q, e, r != 0);
    return negative ? dec_neg(d) : d;
}

enum { HALF_EVEN, HALF_UP, CEILING };

/* x.quantize(Decimal(10^exp), rounding); fails where Python raises InvalidOperation
 * (a result of more than PREC digits). */
static dec dec_quantize(dec x, int exp, int mode, int *fail) {
    i128 c;
    if (x.e >= exp) {
        c = scale_up(x.c, x.e - exp, fail);
    } else {
        int k = exp - x.e;
        if (k > POW10_MAX) {
            if (x.c == 0) return dec_make(0, exp);
            *fail = 1;
            return DEC_ZERO;
        }
        int negative = x.c < 0;
        i128 a = iabs128(x.c);
        i128 q = a / POW10[k], r = a % POW10[k], half = POW10[k] / 2;
        if (mode == HALF_EVEN) {
            if (r > half || (r == half && (q & 1))) q += 1;
        } else if (mode == HALF_UP) {
            if (r >= half && r != 0) q += 1;
        } else if (r != 0 && !negative) {
            q += 1;
        }
        c = negative ? -q : q;
    }
    if (*fail || iabs128(c) >= POW10[PREC]) {
        *fail = 1;
        return DEC_ZERO;
    }
    return dec_make(c, exp);
}

/* x.to_integral_value(ROUND_CEILING) */
static dec dec_ceiling(dec x, int *fail) {
    if (x.e >= 0) return x;
    int k = -x.e;
    if (k > POW10_MAX) {
        if (x.c == 0) return DEC_ZERO;
        return dec_make(x.c > 0 ? 1 : 0, 0);
    }
    i128 q = x.c / POW10[k], r = x.c % POW10[k];
    if (r > 0) q += 1;
    (void)fail;
    return dec_make(q, 0);
}

#endif
