/*
 * C reference for the Black-Scholes throughput benchmark: the same formulas as
 * src/engine/blackScholesKernel.ts and the same normal CDF (Cody's rational
 * approximations as in src/engine/normal.ts), over the same inputs (mulberry32 PRNG,
 * same draw order as engine.bench.ts). Built by engine.bench.ts with `gcc -O2 ... -lm`.
 *
 * Usage: bs <evaluations> <rounds> <seed>
 * Prints: <best ns per evaluation> <checksum = sum of price+delta+gamma+vega+theta+rho>
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const double INV_SQRT_2PI = 0.3989422804014327;
static const double SQRT_32 = 5.656854249492381;

static double exp_minus_half_square(double y) {
  double head = trunc(y * 16) / 16;
  double del = (y - head) * (y + head);
  return exp(-head * head * 0.5) * exp(-del * 0.5);
}

static double norm_cdf(double x) {
  double y = fabs(x);
  double tail;
  if (y <= 0.67448975) {
    double z = x * x;
    double num = ((((0.065682337918207449113 * z + 2.2352520354606839287) * z + 161.02823106855587881) * z +
                   1067.6894854603709582) * z + 18154.981253343561249);
    double den = ((((z + 47.20258190468824187) * z + 976.09855173777669322) * z + 10260.932208618978205) * z +
                  45507.789335026729956);
    return 0.5 + (x * num) / den;
  }
  if (y <= SQRT_32) {
    double num = ((((((((1.0765576773720192317e-8 * y + 0.39894151208813466764) * y + 8.8831497943883759412) * y +
                       93.506656132177855979) * y + 597.27027639480026226) * y + 2494.5375852903726711) * y +
                     6848.1904505362823326) * y + 11602.651437647350124) * y + 9842.7148383839780218);
    double den = (((((((y + 22.266688044328115691) * y + 235.38790178262499861) * y + 1519.377599407554805) * y +
                     6485.558298266760755) * y + 18615.571640885098091) * y + 34900.952721145977266) * y +
                   38912.003286093271411) * y + 19685.429676859990727;
    tail = exp_minus_half_square(y) * (num / den);
  } else if (y < 37.5193) {
    double z = 1 / (x * x);
    double num = (((((0.02307344176494017303 * z + 0.21589853405795699) * z + 0.1274011611602473639) * z +
                    0.022235277870649807) * z + 0.001421619193227893466) * z + 2.9112874951168792e-5);
    double den = ((((z + 1.28426009614491121) * z + 0.468238212480865118) * z + 0.0659881378689285515) * z +
                  0.00378239633202758244) * z + 7.29751555083966205e-5;
    tail = exp_minus_half_square(y) * ((INV_SQRT_2PI - (z * num) / den) / y);
  } else {
    tail = 0;
  }
  return x > 0 ? 1 - tail : tail;
}

static double norm_pdf(double x) { return INV_SQRT_2PI * exp(-0.5 * x * x); }

typedef struct { double price, delta, gamma, vega, theta, rho; } greeks_t;

static double limit_probability(double moneyness) { return moneyness > 0 ? 1 : moneyness < 0 ? 0 : 0.5; }

static void bs_price_greeks(greeks_t *out, int is_call, double spot, double strike, double years, double vol,
                            double rate, double dividend_yield) {
  double omega = is_call ? 1 : -1;
  if (years <= 0) {
    out->price = fmax(omega * (spot - strike), 0);
    out->delta = omega * limit_probability(omega * (spot - strike));
    out->gamma = out->vega = out->theta = out->rho = 0;
    return;
  }
  double dividend_discount = exp(-dividend_yield * years);
  double forward_value = spot * dividend_discount;
  double strike_value = strike * exp(-rate * years);
  double sqrt_years = sqrt(years);
  double std_dev = vol * sqrt_years;
  double n1, n2, density;
  if (std_dev < 1e-18) {
    n1 = n2 = limit_probability(omega * (forward_value - strike_value));
    density = 0;
  } else {
    double d1 = (log(spot / strike) + (rate - dividend_yield) * years) / std_dev + 0.5 * std_dev;
    n1 = norm_cdf(omega * d1);
    n2 = norm_cdf(omega * (d1 - std_dev));
    density = norm_pdf(d1);
  }
  out->price = omega * (forward_value * n1 - strike_value * n2);
  out->delta = omega * dividend_discount * n1;
  out->gamma = density == 0 ? 0 : (dividend_discount * density) / (spot * std_dev);
  out->vega = forward_value * density * sqrt_years * 0.01;
  double annual_theta = (-forward_value * density * vol) / (2 * sqrt_years) - omega * rate * strike_value * n2 +
                        omega * dividend_yield * forward_value * n1;
  out->theta = annual_theta / 365;
  out->rho = omega * strike_value * years * n2 * 0.01;
}

/* mulberry32, bit-for-bit the same as the JavaScript version. */
static uint32_t prng_state;
static double next_uniform(void) {
  prng_state += 0x6D2B79F5u;
  uint32_t t = prng_state;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <evaluations> <rounds> <seed>\n", argv[0]);
    return 2;
  }
  long n = atol(argv[1]);
  int rounds = atoi(argv[2]);
  prng_state = (uint32_t)strtoul(argv[3], NULL, 10);
  int *is_call = malloc(n * sizeof(int));
  double *strike = malloc(n * sizeof(double)), *years = malloc(n * sizeof(double));
  double *vol = malloc(n * sizeof(double)), *rate = malloc(n * sizeof(double));
  for (long i = 0; i < n; i++) { /* same draw order as engine.bench.ts */
    is_call[i] = next_uniform() < 0.5;
    strike[i] = 100 * (0.5 + 1.5 * next_uniform());
    years[i] = 0.005 + 2 * next_uniform();
    vol[i] = 0.05 + 1.45 * next_uniform();
    rate[i] = 0.05 * next_uniform();
  }
  greeks_t g;
  double best = INFINITY, checksum = 0;
  for (int r = 0; r < rounds; r++) {
    double sum = 0, start = now_ns();
    for (long i = 0; i < n; i++) {
      bs_price_greeks(&g, is_call[i], 100, strike[i], years[i], vol[i], rate[i], 0);
      sum += g.price + g.delta + g.gamma + g.vega + g.theta + g.rho;
    }
    double elapsed = now_ns() - start;
    if (elapsed < best) best = elapsed;
    checksum = sum;
  }
  printf("%.3f %.17g\n", best / n, checksum);
  return 0;
}
