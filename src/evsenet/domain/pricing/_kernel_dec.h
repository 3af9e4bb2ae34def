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
        *fail = __LINE__;
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

typedef unsigned __int128 u128;

/* x (four 64-bit words, least significant first) divided by d in place; the remainder. */
static uint64_t words_divide(uint64_t x[4], uint64_t d) {
    u128 rest = 0;
    for (int i = 3; i >= 0; i--) {
        u128 current = (rest << 64) | x[i];
        x[i] = (uint64_t)(current / d);
        rest = current % d;
    }
    return (uint64_t)rest;
}

static int words_bits(const uint64_t x[4]) {
    for (int i = 3; i >= 0; i--)
        if (x[i]) return 64 * i + 64 - __builtin_clzll(x[i]);
    return 0;
}

/* |a| × |b| when it does not fit 128 bits: the full product, cut to fewer than 127 bits by
 * dropping digits (keeping at least 30 and a sticky bit), then rounded to PREC digits. */
static dec multiply_wide(i128 a, i128 b, int e) {
    u128 x = (u128)iabs128(a), y = (u128)iabs128(b);
    uint64_t x0 = (uint64_t)x, x1 = (uint64_t)(x >> 64), y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
    u128 p00 = (u128)x0 * y0, p01 = (u128)x0 * y1, p10 = (u128)x1 * y0, p11 = (u128)x1 * y1;
    uint64_t w[4];
    w[0] = (uint64_t)p00;
    u128 middle = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    w[1] = (uint64_t)middle;
    u128 high = (middle >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
    w[2] = (uint64_t)high;
    w[3] = (uint64_t)((high >> 64) + (p11 >> 64));
    int sticky = 0;
    while (words_bits(w) > 126) {
        int digits = (int)((words_bits(w) - 1) * 0.30102999566398); /* at least this many */
        int k = digits - 30;
        if (k < 1) k = 1;
        if (k > 19) k = 19;
        sticky |= words_divide(w, (uint64_t)POW10[k]) != 0;
        e += k;
    }
    i128 c = (i128)(((u128)w[1] << 64) | w[0]);
    int negative = (a < 0) != (b < 0);
    dec d = round_prec(c, e, sticky);
    return negative ? dec_make(-d.c, d.e) : d;
}

static dec dec_mul(dec a, dec b, int *fail) {
    i128 r;
    if (__builtin_mul_overflow(a.c, b.c, &r)) return multiply_wide(a.c, b.c, a.e + b.e);
    return round_prec(r, a.e + b.e, 0);
}

static dec dec_add(dec a, dec b, int *fail) {
    if (a.c == 0) return dec_round(b);
    if (b.c == 0) return dec_round(a);
    if (a.e < b.e) {
        dec swap = a;
        a = b;
        b = swap;
    }
    /* a has the larger exponent: raise its coefficient as far as 37 digits allow */
    int shift = a.e - b.e, room = 37 - digits128(a.c);
    if (shift <= room) {
        i128 x = a.c * POW10[shift], sum;
        if (__builtin_add_overflow(x, b.c, &sum)) {
            *fail = __LINE__;
            return DEC_ZERO;
        }
        return round_prec(sum, b.e, 0);
    }
    if ((a.c < 0) != (b.c < 0) || room < 0) {
        *fail = __LINE__; /* a far smaller term of the other sign: not needed, not done */
        return DEC_ZERO;
    }
    /* the same sign: b, cut to a's raised exponent, only adds digits below the 28th */
    int cut = shift - room;
    i128 low = cut > POW10_MAX ? 0 : b.c / POW10[cut];
    int sticky = cut > POW10_MAX ? 1 : b.c % POW10[cut] != 0;
    return round_prec(a.c * POW10[room] + low, b.e + cut, sticky);
}

static inline dec dec_neg(dec a) { return dec_make(-a.c, a.e); }

static inline dec dec_sub(dec a, dec b, int *fail) { return dec_add(a, dec_neg(b), fail); }

/* -1, 0, 1 as a <, ==, > b. */
static int dec_cmp(dec a, dec b, int *fail) {
    int sa = (a.c > 0) - (a.c < 0), sb = (b.c > 0) - (b.c < 0);
    if (sa != sb) return (sa > sb) - (sa < sb);
    if (sa == 0) return 0;
    if (a.e == b.e) return (a.c > b.c) - (a.c < b.c);
    static const i128 SMALL = (i128)1 << 62;
    int gap = a.e > b.e ? a.e - b.e : b.e - a.e;
    if (gap <= 18 && iabs128(a.c) < SMALL && iabs128(b.c) < SMALL) {
        i128 x = a.e > b.e ? a.c * POW10[gap] : a.c, y = b.e > a.e ? b.c * POW10[gap] : b.c;
        return (x > y) - (x < y);
    }
    int adjusted_a = digits128(a.c) + a.e, adjusted_b = digits128(b.c) + b.e;
    if (adjusted_a != adjusted_b) return (adjusted_a > adjusted_b) == (sa > 0) ? 1 : -1;
    int e = a.e < b.e ? a.e : b.e;
    i128 x = scale_up(a.c, a.e - e, fail), y = scale_up(b.c, b.e - e, fail);
    if (*fail) return 0;
    return (x > y) - (x < y);
}

static inline int dec_sign(dec a) { return (a.c > 0) - (a.c < 0); }

/* a / b correctly rounded to PREC digits (b nonzero). */
static dec dec_div(dec a, dec b, int *fail) {
    if (b.c == 0) {
        *fail = __LINE__;
        return DEC_ZERO;
    }
    if (a.c == 0) return DEC_ZERO;
    int negative = (a.c < 0) != (b.c < 0);
    i128 x = iabs128(a.c), y = iabs128(b.c), q, r;
    if (x < ((i128)1 << 63) && y < ((i128)1 << 63)) {
        q = (uint64_t)x / (uint64_t)y;
        r = (uint64_t)x % (uint64_t)y;
    } else {
        q = x / y;
        r = x % y;
    }
    int e = a.e - b.e;
    int room_r = POW10_MAX - digits128(y);      /* r < y: r × 10^room_r fits */
    while (r != 0 && digits128(q) < PREC + 2) {
        int k = PREC + 2 - digits128(q);
        if (q == 0) k = PREC + 2;
        if (k > room_r) k = room_r;
        if (k <= 0) {
            *fail = __LINE__;
            return DEC_ZERO;
        }
        i128 qs, rs = r * POW10[k];
        if (__builtin_mul_overflow(q, POW10[k], &qs)) {
            *fail = __LINE__;
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
            *fail = __LINE__;
            return DEC_ZERO;
        }
        int negative = x.c < 0;
        i128 a = iabs128(x.c), q, r, half = POW10[k] / 2;
        if (a < ((i128)1 << 63) && k <= 18) {
            uint64_t a64 = (uint64_t)a, p64 = (uint64_t)POW10[k];
            q = a64 / p64;
            r = a64 % p64;
        } else {
            q = a / POW10[k];
            r = a % POW10[k];
        }
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
        *fail = __LINE__;
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
