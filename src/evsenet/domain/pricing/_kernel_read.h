/* Reading Python values in place: slotted dataclass attributes, Decimals, aware datetimes;
 * and a session's periods, declining what the reference engine refuses or warns about. */
#ifndef EVSENET_KERNEL_READ_H
#define EVSENET_KERNEL_READ_H

#include "_kernel_types.h"

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

/* Where a slotted dataclass keeps an attribute: per attribute, the last two types seen
 * (Session and ChargingPeriod share `start` and `end`) and the offsets of their slots
 * (-1: not a plain slot, read through getattr). */
#define SLOT_WAYS 2
static PyTypeObject *slot_type[N_ATTRIBUTES][SLOT_WAYS];
static Py_ssize_t slot_offset[N_ATTRIBUTES][SLOT_WAYS];
static int slot_next[N_ATTRIBUTES];

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

static Py_ssize_t slot_of(PyTypeObject *type, int attribute) {
    for (int way = 0; way < SLOT_WAYS; way++)
        if (slot_type[attribute][way] == type) return slot_offset[attribute][way];
    int way = slot_next[attribute];
    slot_next[attribute] = (way + 1) % SLOT_WAYS;
    Py_XDECREF(slot_type[attribute][way]);
    Py_INCREF(type);
    slot_type[attribute][way] = type;
    return slot_offset[attribute][way] = find_slot(type, S_attribute[attribute]);
}

/* obj.<attribute> (a new reference; NULL with an exception when it is missing). A slot of
 * a type seen before is read in place, as the member descriptor would read it. */
static PyObject *get_attr(PyObject *obj, int attribute) {
    Py_ssize_t offset = slot_of(Py_TYPE(obj), attribute);
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
    /* only CPython's C implementation (_decimal), never _pydecimal's Python objects */
    PyObject *module = PyImport_ImportModule("_decimal");
    if (module == NULL) {
        PyErr_Clear();
        return 0;
    }
    PyObject *type = PyObject_GetAttrString(module, "Decimal");
    Py_DECREF(module);
    int compiled = type == (PyObject *)DECIMAL &&
                   DECIMAL->tp_basicsize >= (Py_ssize_t)sizeof(decimal_view);
    Py_XDECREF(type);
    PyErr_Clear();
    if (!compiled) return 0;
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
        /* warnings: a period outside the session, its time inferred */
        ok = ok && p->start >= start && p->end <= end &&
             (p->vol[1].c != 0 || p->vol[2].c != 0 || p->vol[3].c != 0 || p->end == p->start);
        previous_end = p->end;
    }
    s->n_periods = ok ? (int)PyTuple_GET_SIZE(periods) : 0;
    Py_DECREF(periods);
    /* engine._charging_end: the end of the last period with charging (energy or charging
     * time), else the session start; the periods are in order (read_period) */
    s->charging_end = start;
    for (int i = 0; i < s->n_periods; i++)
        if (dec_sign(s->periods[i].vol[0]) > 0 || dec_sign(s->periods[i].vol[1]) > 0)
            s->charging_end = s->periods[i].end;
    return ok && !s->fail;
}


#endif
