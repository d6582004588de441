/*
 * Optional compiled Base45 (RFC 9285) decoder for sanspeur.credential.base45.
 *
 * Why it exists: decoding the ~1,400-character Base45 text of a card code costs ~6 us in
 * the best pure-Python decoder we found, a quarter of everything verify() adds on top of
 * the ES256 check (docs/benchmarks.md, docs/decisions/0004-compiled-base45.md). This loop
 * does it in well under a microsecond.
 *
 * Deliberately small: it only ever answers "these bytes" or "not valid" (None). When the
 * answer is None the Python decoder runs on the same input and raises the precise
 * Base45Error, so error messages and every accept/reject decision have a single source
 * of truth, which the tests compare on random and hostile inputs. No input can make this
 * function write outside the buffer it allocates: the output length is computed from the
 * input length before the loop, and the loop reads whole triples only.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Same limit as the Python decoder: longer text cannot come from a QR code. */
#define MAX_TRIPLES 4096
#define INVALID 0xFF

static unsigned char decode_table[256];

static void build_table(void)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    memset(decode_table, INVALID, sizeof decode_table);
    for (unsigned char i = 0; i < 45; i++) {
        decode_table[(unsigned char)alphabet[i]] = i;
    }
}

static PyObject *decode_or_none(const unsigned char *text, Py_ssize_t length)
{
    Py_ssize_t triples = length / 3;
    Py_ssize_t remainder = length % 3;
    if (remainder == 1 || triples > MAX_TRIPLES) {
        Py_RETURN_NONE;
    }
    PyObject *result = PyBytes_FromStringAndSize(NULL, 2 * triples + (remainder ? 1 : 0));
    if (result == NULL) {
        return NULL;
    }
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
    const unsigned char *end = text + 3 * triples;
    for (; text < end; text += 3) {
        unsigned int c = decode_table[text[0]];
        unsigned int d = decode_table[text[1]];
        unsigned int e = decode_table[text[2]];
        if (c == INVALID || d == INVALID || e == INVALID) {
            goto invalid;
        }
        unsigned int value = c + 45 * d + 2025 * e;
        if (value > 0xFFFF) {
            goto invalid;
        }
        *out++ = (unsigned char)(value >> 8);
        *out++ = (unsigned char)(value & 0xFF);
    }
    if (remainder) {
        unsigned int c = decode_table[text[0]];
        unsigned int d = decode_table[text[1]];
        if (c == INVALID || d == INVALID || c + 45 * d > 0xFF) {
            goto invalid;
        }
        *out = (unsigned char)(c + 45 * d);
    }
    return result;

invalid:
    Py_DECREF(result);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(b45decode_doc,
"b45decode(text, /) -> bytes | None\n\n"
"Decode canonical Base45 from an ASCII str or bytes. Returns None for anything the\n"
"Python decoder would reject (and for other input types), so that the caller can run\n"
"the Python decoder to get the exact error.");

static PyObject *b45decode(PyObject *module, PyObject *arg)
{
    (void)module;
    if (PyUnicode_CheckExact(arg)) {
        if (!PyUnicode_IS_ASCII(arg)) {
            Py_RETURN_NONE;
        }
        return decode_or_none(PyUnicode_1BYTE_DATA(arg), PyUnicode_GET_LENGTH(arg));
    }
    if (PyBytes_CheckExact(arg)) {
        return decode_or_none((const unsigned char *)PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg));
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"b45decode", b45decode, METH_O, b45decode_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "sanspeur.credential._base45",
    .m_doc = "Compiled Base45 decoder (optional accelerator; see base45.py).",
    .m_size = 0,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__base45(void)
{
    build_table();
    return PyModule_Create(&module_def);
}
