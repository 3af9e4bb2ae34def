/* The kernel's tables: a prepared tariff, a zone's offsets, and one session's state. */
#ifndef EVSENET_KERNEL_TYPES_H
#define EVSENET_KERNEL_TYPES_H

#include "_kernel_dec.h"

enum { D_ENERGY, D_FLAT, D_TIME, D_PARKING, NDIM };
#define MAX_ELEMENTS 256 /* an NGP week of day/night slots compiles to 70-200 */
#define MAX_CUTS 64
#define MAX_POSITIONS 256
#define MAX_PERIODS 64
#define MAX_SLICES 512
#define MAX_GROUPS 64
#define DAY_MICROS 86400000000LL
#define FAST_SPAN (20 * DAY_MICROS)
#define EARLIEST 0LL
#define LATEST 221845392000000000LL /* 9000-01-01T00:00Z in microseconds */

typedef struct {
    int present;
    dec price;
    int has_vat;
    dec vat;
    long long step;
} component;

typedef struct {
    int has;
    dec v;
} opt_dec;

typedef struct {
    long long start_time, end_time; /* microseconds of the day; -1: none */
    int has_start_date, has_end_date;
    long long start_date, end_date; /* local days since 1970-01-01 */
    int weekdays;                   /* bit per weekday (Monday 0); 0: every day */
    opt_dec min_kwh, max_kwh, min_current, max_current, min_power, max_power;
    long long min_duration, max_duration; /* seconds; -1: none */
    long long min_after, max_after;       /* seconds since charging ended; -1: none */
    component comp[NDIM];
} element;

typedef struct {
    int has_excl, has_incl;
    dec excl, incl;
} bound;

typedef struct {
    int n_elements;
    element elements[MAX_ELEMENTS];
    int cand[NDIM][MAX_ELEMENTS];
    int n_cand[NDIM];
    int quantum_exp;
    int has_min, has_max;
    bound min_price, max_price;
    int n_moments, n_durations, n_after, n_kwh;
    long long moments[MAX_CUTS];
    long long durations[MAX_CUTS];
    long long after[MAX_CUTS]; /* seconds after charging end (0 included); none: no element
                                  looks at the charging end */
    dec kwh[MAX_CUTS];
    int uses_local_time;
    PyObject *tariff_id;
    PyObject *currency_code;
} tariff;

typedef struct {
    int n;
    long long lo, hi; /* the table answers for instants in [lo, hi) */
    long long *at;
    long long *offset;
    PyObject *zone;
} zone_table;

/* ---- one session --------------------------------------------------------------------- */

typedef struct {
    long long start, end;
    dec vol[4]; /* energy kWh, charging h, parking h, reservation h */
    int has_current, has_power;
    dec current, power;
} period;

typedef struct {
    int period;
    long long start;
    dec vol[3];
    dec energy_before;
} slice;

typedef struct {
    i128 n, d; /* a position in a period: n / d microseconds after its start */
} ratio;

typedef struct {
    int dim, element;
    dec quantity;
} group;

typedef struct {
    int dim;
    dec quantity;
    int slice_index, element;
} pending_t;

typedef struct {
    const tariff *t;
    const zone_table *z;
    int fail;
    long long session_start;
    long long charging_end; /* engine._charging_end */
    int n_periods, n_slices, n_groups, n_pending;
    period periods[MAX_PERIODS];
    slice slices[MAX_SLICES];
    int matched[MAX_SLICES][NDIM];
    group groups[MAX_GROUPS];
    pending_t pending[NDIM];
} state;


#endif
