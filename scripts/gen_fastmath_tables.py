# Generates the tables of src/core/fastmath.c (printed as C literals): python3 scripts/gen_fastmath_tables.py
import struct
from decimal import Decimal, getcontext
getcontext().prec = 50
def bits(d): return struct.unpack('<Q', struct.pack('<d', d))[0]
def dbl(b): return struct.unpack('<d', struct.pack('<Q', b))[0]
def rnd(dec): return float(dec)  # Decimal -> nearest double (correctly rounded)
LN2 = Decimal(2).ln()
print('/* exp: bits of 2^(j/64), minus j << 46 (see mist_fast_exp) */')
out=[]
for j in range(64):
    v = rnd((LN2 * j / 64).exp())
    out.append('0x%016xULL' % ((bits(v) - (j << 46)) & 0xffffffffffffffff))
print(',\n'.join(', '.join(out[i:i+4]) for i in range(0, 64, 4)))
OFF = 0x3fe6000000000000
print('/* log: per bin i: c, 1/c, ln c */')
rows=[]
for i in range(128):
    lo = dbl(OFF + (i << 45)); hi = dbl(OFF + ((i + 1) << 45))
    c = 1.0 if i in (79, 80) else (lo + hi) / 2
    invc = 1.0 / c
    logc = rnd(Decimal(c).ln())
    rows.append('{%s, %s, %s}' % (c.hex(), invc.hex(), logc.hex()))
print(',\n'.join(rows))
print('ln2 hi/lo', (rnd(LN2)).hex())
import mpmath
mpmath.mp.dps = 40
print('/* sincos: cos and sin of 2 pi (k + 1/2) / 1024 */')
def half(k): return 2 * mpmath.pi * (k + mpmath.mpf(1) / 2) / 1024
print(',\n'.join('{%s, %s}' % (float(mpmath.cos(half(k))).hex(), float(mpmath.sin(half(k))).hex()) for k in range(1024)))
