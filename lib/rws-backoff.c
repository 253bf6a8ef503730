/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <math.h>

#include "rws-backoff.h"

/* Decorrelated jitter draws from [initial, previous * 3], the factor that
 * the "Exponential Backoff And Jitter" article of the AWS Architecture Blog
 * (2015) uses. */
#define DECORRELATED_GROWTH 3.0

struct _RwsBackoff
{
  guint initial_ms;
  guint max_ms;
  double multiplier;
  RwsJitter jitter;

  GRand *rand;

  /* Failed attempts since the last reset. */
  guint64 attempt;

  /* The previous decorrelated delay, or 0 before the first one. */
  guint previous_ms;
};

RwsBackoff *
rws_backoff_new (guint     initial_ms,
                 guint     max_ms,
                 double    multiplier,
                 RwsJitter jitter)
{
  RwsBackoff *backoff = g_new0 (RwsBackoff, 1);

  backoff->rand = g_rand_new ();
  rws_backoff_configure (backoff, initial_ms, max_ms, multiplier, jitter);

  return backoff;
}

void
rws_backoff_free (RwsBackoff *backoff)
{
  if (backoff == NULL)
    return;

  g_rand_free (backoff->rand);
  g_free (backoff);
}

/* Changing the parameters keeps the attempt count, so a client whose
 * properties change while it waits goes on from the same step. */
void
rws_backoff_configure (RwsBackoff *backoff,
                       guint       initial_ms,
                       guint       max_ms,
                       double      multiplier,
                       RwsJitter   jitter)
{
  g_assert (backoff != NULL);

  backoff->initial_ms = initial_ms;
  backoff->max_ms = max_ms;
  backoff->multiplier = isfinite (multiplier) && multiplier >= 1.0 ? multiplier : 1.0;
  backoff->jitter = jitter;
}

void
rws_backoff_set_seed (RwsBackoff *backoff,
                      guint32     seed)
{
  g_rand_set_seed (backoff->rand, seed);
}

/* Returns `min (max, initial * multiplier^attempt)` without overflow: the
 * exponent is compared in the log domain before anything is multiplied. */
guint
rws_backoff_base_delay (RwsBackoff *backoff,
                        guint64     attempt)
{
  double initial = MIN (backoff->initial_ms, backoff->max_ms);
  double log_limit;
  double value;

  if (initial <= 0.0 || backoff->multiplier == 1.0 || attempt == 0)
    return (guint) initial;

  log_limit = log ((double) backoff->max_ms / initial) / log (backoff->multiplier);
  if ((double) attempt >= log_limit)
    return backoff->max_ms;

  value = initial * pow (backoff->multiplier, (double) attempt);

  return (guint) MIN (value, (double) backoff->max_ms);
}

static guint
random_between (RwsBackoff *backoff,
                guint       low,
                guint       high)
{
  if (high <= low)
    return low;

  /* g_rand_int_range takes a half-open gint32 range; use doubles so the
   * whole guint range is possible and the upper bound is included. */
  return low + (guint) floor (g_rand_double (backoff->rand) * ((double) (high - low) + 1.0));
}

/* Returns the delay before the next attempt and counts one failed attempt. */
guint
rws_backoff_next (RwsBackoff *backoff)
{
  guint base = rws_backoff_base_delay (backoff, backoff->attempt);
  guint delay;

  switch (backoff->jitter)
    {
    case RWS_JITTER_FULL:
      delay = random_between (backoff, 0, base);
      break;

    case RWS_JITTER_EQUAL:
      delay = base / 2 + random_between (backoff, 0, base - base / 2);
      break;

    case RWS_JITTER_DECORRELATED:
      {
        guint low = MIN (backoff->initial_ms, backoff->max_ms);
        double previous = backoff->previous_ms > 0 ? backoff->previous_ms : low;
        double high = MIN (previous * DECORRELATED_GROWTH, (double) backoff->max_ms);

        delay = random_between (backoff, low, (guint) MAX (high, (double) low));
        backoff->previous_ms = delay;
      }
      break;

    case RWS_JITTER_NONE:
    default:
      delay = base;
      break;
    }

  if (backoff->attempt < G_MAXUINT64)
    backoff->attempt++;

  return MIN (delay, backoff->max_ms);
}

void
rws_backoff_reset (RwsBackoff *backoff)
{
  backoff->attempt = 0;
  backoff->previous_ms = 0;
}

guint64
rws_backoff_get_attempt (RwsBackoff *backoff)
{
  return backoff->attempt;
}
