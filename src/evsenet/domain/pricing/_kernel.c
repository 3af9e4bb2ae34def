/* evsenet's pricing kernel: the reference engine's totals for many sessions, in C.
 *
 * It follows engine.py, slicing.py, compiled.py and bounds.py step by step, with the
 * Decimal arithmetic of _kernel_dec.h (the same values as Python's default context), so
 * its totals equal the reference engine's to the last unit. It covers what it can decide
 * exactly and answers None ("not handled") for the rest: a session that the reference
 * engine would refuse or warn about, reservations, and arithmetic its 128-bit integers
 * cannot hold. The Python side (kernel.py) prices those with the reference engine.
 *
 * One translation unit, in reading order: _kernel_dec.h (Decimal arithmetic),
 * _kernel_types.h, _kernel_read.h (Python values), _kernel_prepare.h (tariff, zone),
 * _kernel_slice.h (slicing.py), _kernel_price.h (engine.py, bounds.py), this file (the
 * module's functions).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <structmember.h>
#include <limits.h>
#include <string.h>

#include "_kernel_price.h"

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

