/* evsenet's pricing kernel: the reference engine's totals for many sessions, in C.
 *
 * It follows engine.py, slicing.py, compiled.py and bounds.py step by step, with the
 * Decimal arithmetic of _kernel_dec.h (the same values as Python's default context), so
 * its totals equal the reference engine's to the last unit. It covers what it can decide
 * exactly and answers None ("not handled") for the rest: a session that the reference
 * engine would refuse or warn about, reservations, evsenet's after-charging extension,
 * a period in which the UTC offset changes, and any arithmetic beyond 128 bits. The
 * Python side (kernel.py) prices those with the reference engine.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <structmember.h>
#include <limits.h>
#include <string.h>

#include "_kernel_dec.h"

enum { D_ENERGY, D_FLAT, D_TIME, D_PARKING, NDIM };
#define MAX_ELEMENTS 64
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
    int n_moments, n_durations, n_kwh;
    long long moments[MAX_CUTS];
    long long durations[MAX_CUTS];
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

/* ---- reading Python values ------------------------------------------------------- */

enum {
    A_START,
    A_END,
    A_TIME_ZONE,
    A_PERIODS,
    A_CURRENCY_CODE,
    A_ENERGY_KWH,
    A_CHARGING_HOURS,
    A_PARKING_HOURS,
    A_RESERVATION_HOURS,
    A_CURRENT,
    A_MIN_CURRENT,
    A_MAX_CURRENT,
    A_POWER,
    A_MIN_POWER,
    A_MAX_POWER,
    A_TARIFF_ID,
    N_ATTRIBUTES
};
static const char *const ATTRIBUTE_NAMES[N_ATTRIBUTES] = {
    "start",
    "end",
    "time_zone",
    "periods",
    "currency_code",
    "energy_kwh",
    "charging_hours",
    "parking_hours",
    "reservation_hours",
    "current",
    "min_current",
    "max_current",
    "power",
    "min_power",
    "max_power",
    "tariff_id",
};
static PyObject *S_attribute[N_ATTRIBUTES], *S_utcoffset;

/* Where a slotted dataclass keeps an attribute, per attribute: the type last seen and the
 * offset of its slot (-1: not a plain slot, read through getattr). */
static PyTypeObject *slot_type[N_ATTRIBUTES];
static Py_ssize_t slot_offset[N_ATTRIBUTES];

static Py_ssize_t find_slot(PyTypeObject *type, PyObject *name) {
    PyObject *descriptor = PyObject_GetAttr((PyObject *)type, name);
    Py_ssize_t offset = -1;
    if (descriptor == NULL) {
        PyErr_Clear();
    } else {
        if (Py_IS_TYPE(descriptor, &PyMemberDescr_Type)) {
            PyMemberDef *member = ((PyMemberDescrObject *)descriptor)->d_member;
            if (member->type == T_OBJECT_EX && !(member->flags & READ_RESTRICTED))
                offset = member->offset;
        }
        Py_DECREF(descriptor);
    }
    return offset;
}

/* obj.<attribute> (a new reference; NULL with an exception when it is missing). A slot of
 * an exact type seen before is read in place, as the member descriptor would read it. */
static PyObject *get_attr(PyObject *obj, int attribute) {
    PyTypeObject *type = Py_TYPE(obj);
    if (type != slot_type[attribute]) {
        Py_ssize_t offset = find_slot(type, S_attribute[attribute]);
        Py_XDECREF(slot_type[attribute]);
        Py_INCREF(type);
        slot_type[attribute] = type;
        slot_offset[attribute] = offset;
    }
    Py_ssize_t offset = slot_offset[attribute];
    if (offset < 0) return PyObject_GetAttr(obj, S_attribute[attribute]);
    PyObject *value = *(PyObject **)((char *)obj + offset);
    if (value == NULL) return PyObject_GetAttr(obj, S_attribute[attribute]);
    Py_INCREF(value);
    return value;
}

static PyObject *UTC;      /* datetime.timezone.utc */
static PyTypeObject *DECIMAL;

/* A Decimal's text ("0.39", "1E+3", "-0") as dec; 0 when it is not a finite number that
 * fits. */
static int parse_dec_text(const char *s, Py_ssize_t n, dec *out) {
    Py_ssize_t i = 0;
    int negative = 0, digits = 0, seen_point = 0, frac = 0;
    i128 c = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
    for (; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (c != 0 || ch != '0') digits++;
            if (digits > PREC + 8) return 0;
            c = c * 10 + (ch - '0');
            if (seen_point) frac++;
        } else if (ch == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    long exponent = 0;
    if (i < n) {
        if (s[i] != 'E' && s[i] != 'e') return 0;
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        if (i >= n) return 0;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9' || exponent > 100000) return 0;
            exponent = exponent * 10 + (s[i] - '0');
        }
        if (eneg) exponent = -exponent;
    }
    exponent -= frac;
    if (exponent < -100000 || exponent > 100000) return 0;
    out->c = negative ? -c : c;
    out->e = (int)exponent;
    return 1;
}

/* CPython's _decimal object (Modules/_decimal/_decimal.c, libmpdec's mpd_t), read in place:
 * a coefficient of 64-bit words in base 10^19 and an exponent. `decimal_layout_ok` is set
 * at import only when reading known values this way gives what their text says;
 * otherwise every Decimal is read through its text. */
typedef struct {
    uint8_t flags;
    int64_t exp;
    int64_t digits;
    int64_t len;
    int64_t alloc;
    uint64_t *data;
} mpd_view;

typedef struct {
    PyObject_HEAD
    Py_hash_t hash;
    mpd_view dec;
} decimal_view;

#define MPD_NEG 1
#define MPD_SPECIAL 14 /* MPD_INF | MPD_NAN | MPD_SNAN */
#define MPD_RADIX 10000000000000000000ULL

static int decimal_layout_ok;

static int read_dec_text(PyObject *value, dec *out) {
    PyObject *text = PyObject_Str(value);
    if (text == NULL) {
        PyErr_Clear();
        return 0;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    int ok = s != NULL && parse_dec_text(s, n, out);
    Py_DECREF(text);
    if (!ok) PyErr_Clear();
    return ok;
}

static int read_dec_in_place(PyObject *value, dec *out) {
    const mpd_view *m = &((const decimal_view *)value)->dec;
    if (m->flags & MPD_SPECIAL || m->len < 1 || m->len > 2 || m->exp < -100000 ||
        m->exp > 100000)
        return 0;
    i128 c = (i128)m->data[0];
    if (m->len == 2) c += (i128)m->data[1] * (i128)MPD_RADIX;
    out->c = m->flags & MPD_NEG ? -c : c;
    out->e = (int)m->exp;
    return 1;
}

/* A finite Decimal as dec; 0 when it is not one or does not fit. */
static int read_dec(PyObject *value, dec *out) {
    if (Py_TYPE(value) != DECIMAL) return 0;
    return decimal_layout_ok ? read_dec_in_place(value, out) : read_dec_text(value, out);
}

/* Whether reading Decimals in place agrees with their text, for values of every shape. */
static int check_decimal_layout(void) {
    static const char *const SAMPLES[] = {
        "0", "-0", "0.39", "12.045", "1E+3", "-7.5E-9", "1000000", "0.000000000000001",
        "12345678901234567890", "-987654321098765432109876543.21123456", "19.0",
    };
    int ok = 1;
    for (size_t i = 0; ok && i < sizeof SAMPLES / sizeof SAMPLES[0]; i++) {
        PyObject *value = PyObject_CallFunction((PyObject *)DECIMAL, "s", SAMPLES[i]);
        if (value == NULL) return -1;
        dec a, b;
        ok = read_dec_text(value, &a) && read_dec_in_place(value, &b) && a.c == b.c &&
             a.e == b.e;
        Py_DECREF(value);
    }
    static const char *const SPECIAL[] = {"NaN", "-Infinity", "sNaN"};
    for (size_t i = 0; ok && i < 3; i++) {
        PyObject *value = PyObject_CallFunction((PyObject *)DECIMAL, "s", SPECIAL[i]);
        if (value == NULL) return -1;
        dec b;
        ok = !read_dec_in_place(value, &b);
        Py_DECREF(value);
    }
    return ok;
}

static PyObject *reads_decimals_in_place(PyObject *self, PyObject *args) {
    return PyBool_FromLong(decimal_layout_ok);
}

static long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static long long timedelta_micros(PyObject *delta) {
    return ((long long)PyDateTime_DELTA_GET_DAYS(delta) * 86400 +
            PyDateTime_DELTA_GET_SECONDS(delta)) *
               1000000LL +
           PyDateTime_DELTA_GET_MICROSECONDS(delta);
}

/* An aware datetime as microseconds since 1970-01-01T00:00Z; 0 when naive or odd. */
static int read_instant(PyObject *value, long long *out) {
    if (!PyDateTime_Check(value)) return 0;
    PyObject *tz = PyDateTime_DATE_GET_TZINFO(value);
    long long offset = 0;
    if (tz == Py_None) return 0;
    if (tz != UTC) {
        PyObject *delta = PyObject_CallMethodNoArgs(value, S_utcoffset);
        if (delta == NULL) {
            PyErr_Clear();
            return 0;
        }
        if (!PyDelta_Check(delta)) {
            Py_DECREF(delta);
            return 0;
        }
        offset = timedelta_micros(delta);
        Py_DECREF(delta);
    }
    long long days = days_from_civil(PyDateTime_GET_YEAR(value), PyDateTime_GET_MONTH(value),
                                     PyDateTime_GET_DAY(value));
    long long seconds = days * 86400 + PyDateTime_DATE_GET_HOUR(value) * 3600 +
                        PyDateTime_DATE_GET_MINUTE(value) * 60 +
                        PyDateTime_DATE_GET_SECOND(value);
    *out = seconds * 1000000LL + PyDateTime_DATE_GET_MICROSECOND(value) - offset;
    return 1;
}

/* ---- the tariff, prepared once ----------------------------------------------------- */

static int spec_dec(PyObject *text, dec *out) {
    if (!PyUnicode_Check(text)) return 0;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    return s != NULL && parse_dec_text(s, n, out);
}

static int spec_opt(PyObject *text, opt_dec *out) {
    out->has = text != Py_None;
    return !out->has || spec_dec(text, &out->v);
}

static int spec_bound(PyObject *spec, int *has, bound *out) {
    *has = spec != Py_None;
    if (!*has) return 1;
    if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 2) return 0;
    PyObject *excl = PyTuple_GET_ITEM(spec, 0), *incl = PyTuple_GET_ITEM(spec, 1);
    out->has_excl = excl != Py_None;
    out->has_incl = incl != Py_None;
    return (!out->has_excl || spec_dec(excl, &out->excl)) &&
           (!out->has_incl || spec_dec(incl, &out->incl));
}

static int spec_ints(PyObject *seq, long long *out, int *n) {
    if (!PyTuple_Check(seq) || PyTuple_GET_SIZE(seq) > MAX_CUTS) return 0;
    *n = (int)PyTuple_GET_SIZE(seq);
    for (int i = 0; i < *n; i++) {
        out[i] = PyLong_AsLongLong(PyTuple_GET_ITEM(seq, i));
        if (out[i] == -1 && PyErr_Occurred()) return 0;
    }
    return 1;
}

static int spec_component(PyObject *spec, component *out) {
    out->present = spec != Py_None;
    if (!out->present) return 1;
    PyObject *price, *vat;
    if (!PyArg_ParseTuple(spec, "OOL", &price, &vat, &out->step)) return 0;
    out->has_vat = vat != Py_None;
    return spec_dec(price, &out->price) && (!out->has_vat || spec_dec(vat, &out->vat));
}

static int spec_element(PyObject *spec, element *el) {
    PyObject *sd, *ed, *mink, *maxk, *minc, *maxc, *minp, *maxp, *comps;
    if (!PyArg_ParseTuple(spec, "LLOOiOOOOOOLLO", &el->start_time, &el->end_time, &sd, &ed,
                          &el->weekdays, &mink, &maxk, &minc, &maxc, &minp, &maxp,
                          &el->min_duration, &el->max_duration, &comps))
        return 0;
    el->has_start_date = sd != Py_None;
    el->has_end_date = ed != Py_None;
    if (el->has_start_date && (el->start_date = PyLong_AsLongLong(sd)) == -1 && PyErr_Occurred())
        return 0;
    if (el->has_end_date && (el->end_date = PyLong_AsLongLong(ed)) == -1 && PyErr_Occurred())
        return 0;
    if (!(spec_opt(mink, &el->min_kwh) && spec_opt(maxk, &el->max_kwh) &&
          spec_opt(minc, &el->min_current) && spec_opt(maxc, &el->max_current) &&
          spec_opt(minp, &el->min_power) && spec_opt(maxp, &el->max_power)))
        return 0;
    if (!PyTuple_Check(comps) || PyTuple_GET_SIZE(comps) != NDIM) return 0;
    for (int d = 0; d < NDIM; d++)
        if (!spec_component(PyTuple_GET_ITEM(comps, d), &el->comp[d])) return 0;
    return 1;
}

static void tariff_free(PyObject *capsule) {
    tariff *t = PyCapsule_GetPointer(capsule, "evsenet.kernel.tariff");
    if (t == NULL) return;
    Py_XDECREF(t->tariff_id);
    Py_XDECREF(t->currency_code);
    PyMem_Free(t);
}

static PyObject *prepare_tariff(PyObject *self, PyObject *args) {
    PyObject *tariff_id, *currency_code, *min_spec, *max_spec, *moments, *durations, *kwh,
        *elements;
    int quantum_exp, uses_local_time;
    if (!PyArg_ParseTuple(args, "UUiOOOOOpO", &tariff_id, &currency_code, &quantum_exp,
                          &min_spec, &max_spec, &moments, &durations, &kwh, &uses_local_time,
                          &elements))
        return NULL;
    tariff *t = PyMem_Calloc(1, sizeof(tariff));
    if (t == NULL) return PyErr_NoMemory();
    int ok = PyTuple_Check(elements) && PyTuple_GET_SIZE(elements) <= MAX_ELEMENTS &&
             PyTuple_Check(kwh) && PyTuple_GET_SIZE(kwh) <= MAX_CUTS;
    t->quantum_exp = quantum_exp;
    t->uses_local_time = uses_local_time;
    ok = ok && spec_bound(min_spec, &t->has_min, &t->min_price) &&
         spec_bound(max_spec, &t->has_max, &t->max_price) &&
         spec_ints(moments, t->moments, &t->n_moments) &&
         spec_ints(durations, t->durations, &t->n_durations);
    if (ok) {
        t->n_kwh = (int)PyTuple_GET_SIZE(kwh);
        for (int i = 0; ok && i < t->n_kwh; i++) ok = spec_dec(PyTuple_GET_ITEM(kwh, i), &t->kwh[i]);
        t->n_elements = (int)PyTuple_GET_SIZE(elements);
        for (int i = 0; ok && i < t->n_elements; i++)
            ok = spec_element(PyTuple_GET_ITEM(elements, i), &t->elements[i]);
    }
    if (!ok) {
        PyMem_Free(t);
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "malformed kernel tariff");
        return NULL;
    }
    for (int d = 0; d < NDIM; d++)
        for (int i = 0; i < t->n_elements; i++)
            if (t->elements[i].comp[d].present) t->cand[d][t->n_cand[d]++] = i;
    Py_INCREF(tariff_id);
    Py_INCREF(currency_code);
    t->tariff_id = tariff_id;
    t->currency_code = currency_code;
    PyObject *capsule = PyCapsule_New(t, "evsenet.kernel.tariff", tariff_free);
    if (capsule == NULL) {
        Py_DECREF(tariff_id);
        Py_DECREF(currency_code);
        PyMem_Free(t);
    }
    return capsule;
}

static void zone_free(PyObject *capsule) {
    zone_table *z = PyCapsule_GetPointer(capsule, "evsenet.kernel.zone");
    if (z == NULL) return;
    Py_XDECREF(z->zone);
    PyMem_Free(z->at);
    PyMem_Free(z->offset);
    PyMem_Free(z);
}

/* prepare_zone(zone, lo, hi, ((at, offset), ...)): the UTC offsets of `zone` in [lo, hi),
 * each from its instant `at` on (microseconds since 1970; the first `at` is `lo`). */
static PyObject *prepare_zone(PyObject *self, PyObject *args) {
    PyObject *zone, *rows;
    long long lo, hi;
    if (!PyArg_ParseTuple(args, "OLLO!", &zone, &lo, &hi, &PyTuple_Type, &rows)) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(rows);
    zone_table *z = PyMem_Calloc(1, sizeof(zone_table));
    if (z == NULL) return PyErr_NoMemory();
    z->at = PyMem_Calloc(n + 1, sizeof(long long));
    z->offset = PyMem_Calloc(n + 1, sizeof(long long));
    z->n = (int)n;
    z->lo = lo;
    z->hi = hi;
    Py_INCREF(zone);
    z->zone = zone;
    PyObject *capsule = PyCapsule_New(z, "evsenet.kernel.zone", zone_free);
    if (capsule == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(rows, i), "LL", &z->at[i], &z->offset[i])) {
            Py_DECREF(capsule);
            return NULL;
        }
    }
    return capsule;
}

static int offset_at(const zone_table *z, long long t, long long *out) {
    if (z == NULL || z->n == 0 || t < z->lo || t >= z->hi) return 0;
    int low = 0, high = z->n - 1;
    while (low < high) {
        int middle = (low + high + 1) / 2;
        if (z->at[middle] <= t)
            low = middle;
        else
            high = middle - 1;
    }
    *out = z->offset[low];
    return 1;
}

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
    int n_periods, n_slices, n_groups, n_pending;
    period periods[MAX_PERIODS];
    slice slices[MAX_SLICES];
    int matched[MAX_SLICES][NDIM];
    group groups[MAX_GROUPS];
    pending_t pending[NDIM];
} state;

static const dec MAX_VOLUME = {1000000, 0};

static int volume_ok(dec v, int *fail) {
    return dec_sign(v) >= 0 && dec_cmp(v, MAX_VOLUME, fail) <= 0;
}

/* An optional volume (None or a Decimal within 0 … 10⁶); 0: the reference would refuse or
 * the value cannot be read. */
static int read_optional(PyObject *obj, int name, int *has, dec *out, int *fail) {
    PyObject *value = get_attr(obj, name);
    if (value == NULL) return 0;
    *has = value != Py_None;
    int ok = 1;
    if (*has) ok = read_dec(value, out) && volume_ok(*out, fail);
    Py_DECREF(value);
    return ok;
}

static int read_time(PyObject *obj, int name, long long *out) {
    PyObject *value = get_attr(obj, name);
    if (value == NULL) return 0;
    int ok = read_instant(value, out) && *out >= EARLIEST && *out < LATEST;
    Py_DECREF(value);
    return ok;
}

static int read_period(state *s, PyObject *p, period *out, long long previous_end) {
    static const int VOLUMES[4] = {A_ENERGY_KWH, A_CHARGING_HOURS, A_PARKING_HOURS,
                                   A_RESERVATION_HOURS};
    if (!read_time(p, A_START, &out->start) || !read_time(p, A_END, &out->end)) return 0;
    if (out->end < out->start || out->start < previous_end) return 0;
    for (int i = 0; i < 4; i++) {
        int has;
        if (!read_optional(p, VOLUMES[i], &has, &out->vol[i], &s->fail) || !has) return 0;
    }
    dec current[3], power[3];
    int has_current[3], has_power[3];
    if (!read_optional(p, A_CURRENT, &has_current[0], &current[0], &s->fail) ||
        !read_optional(p, A_MAX_CURRENT, &has_current[1], &current[1], &s->fail) ||
        !read_optional(p, A_MIN_CURRENT, &has_current[2], &current[2], &s->fail) ||
        !read_optional(p, A_POWER, &has_power[0], &power[0], &s->fail) ||
        !read_optional(p, A_MAX_POWER, &has_power[1], &power[1], &s->fail) ||
        !read_optional(p, A_MIN_POWER, &has_power[2], &power[2], &s->fail))
        return 0;
    out->has_current = out->has_power = 0;
    for (int i = 2; i >= 0; i--) {
        if (has_current[i]) out->has_current = 1, out->current = current[i];
        if (has_power[i]) out->has_power = 1, out->power = power[i];
    }
    PyObject *tariff_id = get_attr(p, A_TARIFF_ID);
    if (tariff_id == NULL) return 0;
    int same = tariff_id == Py_None ||
               (PyUnicode_Check(tariff_id) &&
                PyUnicode_Compare(tariff_id, s->t->tariff_id) == 0);
    Py_DECREF(tariff_id);
    return same;
}

/* The session's times and periods, or 0 when the reference engine would refuse it or warn
 * about it (those sessions are the reference engine's). */
static int read_session(state *s, PyObject *session) {
    long long start, end;
    if (!read_time(session, A_START, &start) || !read_time(session, A_END, &end) || end < start)
        return 0;
    s->session_start = start;
    PyObject *code = get_attr(session, A_CURRENCY_CODE);
    if (code == NULL) return 0;
    int same = code == Py_None ||
               (PyUnicode_Check(code) && PyUnicode_Compare(code, s->t->currency_code) == 0);
    if (!same && PyUnicode_Check(code)) { /* the engine compares code.upper() */
        PyObject *upper = PyObject_CallMethod(code, "upper", NULL);
        same = upper != NULL && PyUnicode_Check(upper) &&
               PyUnicode_Compare(upper, s->t->currency_code) == 0;
        Py_XDECREF(upper);
        PyErr_Clear();
    }
    Py_DECREF(code);
    if (!same) return 0;
    if (s->t->uses_local_time) {
        PyObject *zone = get_attr(session, A_TIME_ZONE);
        if (zone == NULL) return 0;
        int known = s->z != NULL && zone == s->z->zone;
        Py_DECREF(zone);
        if (!known) return 0;
    }
    PyObject *periods = get_attr(session, A_PERIODS);
    if (periods == NULL) return 0;
    int ok = PyTuple_Check(periods) && PyTuple_GET_SIZE(periods) > 0 &&
             PyTuple_GET_SIZE(periods) <= MAX_PERIODS;
    long long previous_end = LLONG_MIN;
    for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(periods); i++) {
        period *p = &s->periods[i];
        ok = read_period(s, PyTuple_GET_ITEM(periods, i), p, previous_end);
        /* warnings: a period outside the session, time inferred, reservation time */
        ok = ok && p->start >= start && p->end <= end && p->vol[3].c == 0 &&
             (p->vol[1].c != 0 || p->vol[2].c != 0 || p->end == p->start);
        previous_end = p->end;
    }
    s->n_periods = ok ? (int)PyTuple_GET_SIZE(periods) : 0;
    Py_DECREF(periods);
    return ok && !s->fail;
}

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

/* compiled.restriction_match for a slice (reservations are not the kernel's). */
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
    unsigned long long flat_charged = 0;
    int last = s->n_slices - 1;
    for (int index = 0; index <= last && !s->fail; index++) {
        const slice *piece = &s->slices[index];
        int flat = s->matched[index][D_FLAT];
        if (flat >= 0 && !(flat_charged & (1ULL << flat))) {
            flat_charged |= 1ULL << flat;
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
    PyObject *result = PyTuple_New(17);
    if (result == NULL) return NULL;
    for (int i = 0; i < 10; i++) {
        PyObject *item = int_of(values[i], q, &s->fail);
        if (item == NULL) goto not_handled;
        PyTuple_SET_ITEM(result, i, item);
    }
    PyTuple_SET_ITEM(result, 10, PyLong_FromLong(adjustment));
    dec quantities[3] = {sums[0], total_time, sums[2]};
    for (int i = 0; i < 3; i++) {
        i128 coefficient = quantities[i].c;
        PyObject *item = _PyLong_FromByteArray((const unsigned char *)&coefficient,
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

/* price_batch(tariff, zone or None, sessions) -> [tuple | None, ...] */
static PyObject *price_batch(PyObject *self, PyObject *args) {
    PyObject *tariff_capsule, *zone_capsule, *sessions;
    if (!PyArg_ParseTuple(args, "OOO", &tariff_capsule, &zone_capsule, &sessions)) return NULL;
    const tariff *t = PyCapsule_GetPointer(tariff_capsule, "evsenet.kernel.tariff");
    if (t == NULL) return NULL;
    const zone_table *z = NULL;
    if (zone_capsule != Py_None) {
        z = PyCapsule_GetPointer(zone_capsule, "evsenet.kernel.zone");
        if (z == NULL) return NULL;
    }
    PyObject *seq = PySequence_Fast(sessions, "sessions must be a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    state *s = PyMem_Malloc(sizeof(state));
    if (out == NULL || s == NULL) {
        Py_DECREF(seq);
        Py_XDECREF(out);
        PyMem_Free(s);
        return PyErr_NoMemory();
    }
    s->t = t;
    s->z = z;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *priced = price_one(s, PySequence_Fast_GET_ITEM(seq, i));
        if (priced == NULL) {
            Py_DECREF(out);
            out = NULL;
            break;
        }
        PyList_SET_ITEM(out, i, priced);
    }
    PyMem_Free(s);
    Py_DECREF(seq);
    return out;
}

/* declined_at(tariff, zone or None, session) -> 0 when the kernel prices `session`, -1 when
 * reading it declined, else the line of _kernel.c or _kernel_dec.h that declined (for
 * tests and diagnosis). */
static PyObject *declined_at(PyObject *self, PyObject *args) {
    PyObject *tariff_capsule, *zone_capsule, *session;
    if (!PyArg_ParseTuple(args, "OOO", &tariff_capsule, &zone_capsule, &session)) return NULL;
    state *s = PyMem_Malloc(sizeof(state));
    if (s == NULL) return PyErr_NoMemory();
    s->t = PyCapsule_GetPointer(tariff_capsule, "evsenet.kernel.tariff");
    s->z = zone_capsule == Py_None ? NULL : PyCapsule_GetPointer(zone_capsule, "evsenet.kernel.zone");
    if (s->t == NULL || (zone_capsule != Py_None && s->z == NULL)) {
        PyMem_Free(s);
        return NULL;
    }
    s->fail = 0;
    s->n_slices = s->n_groups = s->n_pending = 0;
    long where = -1;
    if (read_session(s, session)) {
        PyObject *priced = price_one(s, session);
        if (priced == NULL) {
            PyMem_Free(s);
            return NULL;
        }
        where = priced == Py_None ? s->fail : 0;
        Py_DECREF(priced);
    }
    PyErr_Clear();
    PyMem_Free(s);
    return PyLong_FromLong(where);
}

static PyMethodDef METHODS[] = {
    {"declined_at", declined_at, METH_VARARGS, "Where the kernel declines a session (0: it does not)."},
    {"prepare_tariff", prepare_tariff, METH_VARARGS, "A tariff prepared for price_batch."},
    {"prepare_zone", prepare_zone, METH_VARARGS, "A zone's UTC offsets for price_batch."},
    {"price_batch", price_batch, METH_VARARGS,
     "Totals of many sessions under one tariff (None: not handled)."},
    {"reads_decimals_in_place", reads_decimals_in_place, METH_NOARGS,
     "Whether Decimals are read in place (True) or through their text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_kernel",
                                   "evsenet's compiled pricing kernel (see kernel.py).", -1,
                                   METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__kernel(void) {
    pow10_init();
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    for (int i = 0; i < N_ATTRIBUTES; i++)
        if ((S_attribute[i] = PyUnicode_InternFromString(ATTRIBUTE_NAMES[i])) == NULL) return NULL;
    if ((S_utcoffset = PyUnicode_InternFromString("utcoffset")) == NULL) return NULL;
    UTC = PyDateTime_TimeZone_UTC;
    PyObject *decimal = PyImport_ImportModule("decimal");
    if (decimal == NULL) return NULL;
    DECIMAL = (PyTypeObject *)PyObject_GetAttrString(decimal, "Decimal");
    Py_DECREF(decimal);
    if (DECIMAL == NULL) return NULL;
    decimal_layout_ok = check_decimal_layout();
    if (decimal_layout_ok < 0) return NULL;
    return PyModule_Create(&MODULE);
}
