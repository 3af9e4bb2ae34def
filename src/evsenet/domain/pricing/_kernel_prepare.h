/* A tariff and a zone's UTC offsets, prepared once from the tuples kernel.py builds. */
#ifndef EVSENET_KERNEL_PREPARE_H
#define EVSENET_KERNEL_PREPARE_H

#include "_kernel_read.h"

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
    if (!PyArg_ParseTuple(spec, "LLOOiOOOOOOLLLLO", &el->start_time, &el->end_time, &sd, &ed,
                          &el->weekdays, &mink, &maxk, &minc, &maxc, &minp, &maxp,
                          &el->min_duration, &el->max_duration, &el->min_after,
                          &el->max_after, &comps))
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
    PyObject *tariff_id, *currency_code, *min_spec, *max_spec, *moments, *durations, *after,
        *kwh, *elements;
    int quantum_exp, uses_local_time;
    if (!PyArg_ParseTuple(args, "UUiOOOOOOpO", &tariff_id, &currency_code, &quantum_exp,
                          &min_spec, &max_spec, &moments, &durations, &after, &kwh,
                          &uses_local_time, &elements))
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
         spec_ints(durations, t->durations, &t->n_durations) &&
         spec_ints(after, t->after, &t->n_after);
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


#endif
