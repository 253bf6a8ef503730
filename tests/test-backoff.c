/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "rws-backoff.h"

#define DRAWS 10000
#define SEED 20261204

static void
test_backoff_none_growth (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (100, 30000, 2.0, RWS_JITTER_NONE);
  const guint expected[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpuint (rws_backoff_get_attempt (backoff), ==, i);
      g_assert_cmpuint (rws_backoff_next (backoff), ==, expected[i]);
    }
}

static void
test_backoff_multiplier (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 100000, 1.5, RWS_JITTER_NONE);

  g_assert_cmpuint (rws_backoff_next (backoff), ==, 1000);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 1500);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 2250);

  /* A multiplier of 1 keeps the delay constant. */
  rws_backoff_configure (backoff, 700, 100000, 1.0, RWS_JITTER_NONE);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (rws_backoff_next (backoff), ==, 700);
}

static void
test_backoff_cap (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 5000, 10.0, RWS_JITTER_NONE);

  g_assert_cmpuint (rws_backoff_next (backoff), ==, 1000);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 5000);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 5000);

  /* An initial delay above the cap is capped too. */
  rws_backoff_configure (backoff, 9000, 5000, 2.0, RWS_JITTER_NONE);
  rws_backoff_reset (backoff);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 5000);
}

static void
test_backoff_overflow (void)
{
  const RwsJitter kinds[] = { RWS_JITTER_NONE, RWS_JITTER_FULL, RWS_JITTER_EQUAL, RWS_JITTER_DECORRELATED };
  const guint64 attempts[] = { 64, 1000, 1000000000, G_MAXUINT32, (guint64) G_MAXUINT32 + 1, G_MAXUINT64 - 1 };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 30000, 2.0, kinds[k]);

      rws_backoff_set_seed (backoff, SEED);

      for (guint a = 0; a < G_N_ELEMENTS (attempts); a++)
        {
          guint base = rws_backoff_base_delay (backoff, attempts[a]);

          g_assert_cmpuint (base, ==, 30000);
        }

      /* Drive the attempt count past 1e9 through next() as well. */
      for (guint64 i = 0; i < 200; i++)
        {
          guint delay = rws_backoff_next (backoff);

          g_assert_cmpuint (delay, <=, 30000);
        }
    }

  /* The largest cap and multiplier give the cap, never a wrapped value. */
  {
    g_autoptr(RwsBackoff) backoff = rws_backoff_new (G_MAXUINT, G_MAXUINT, 1000.0, RWS_JITTER_NONE);

    g_assert_cmpuint (rws_backoff_base_delay (backoff, 1000000000), ==, G_MAXUINT);
    g_assert_cmpuint (rws_backoff_next (backoff), ==, G_MAXUINT);
  }
}

static void
test_backoff_jitter_full_bounds (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 30000, 2.0, RWS_JITTER_FULL);
  guint min_seen = G_MAXUINT, max_seen = 0;

  rws_backoff_set_seed (backoff, SEED);

  for (guint i = 0; i < DRAWS; i++)
    {
      guint64 attempt = i % 8;
      guint base = rws_backoff_base_delay (backoff, attempt);
      guint delay;

      rws_backoff_reset (backoff);
      for (guint64 a = 0; a < attempt; a++)
        rws_backoff_next (backoff);

      delay = rws_backoff_next (backoff);
      g_assert_cmpuint (delay, <=, base);
      min_seen = MIN (min_seen, delay);
      max_seen = MAX (max_seen, delay);
    }

  /* Full jitter spreads over the whole range: near 0 and near the base. */
  g_assert_cmpuint (min_seen, <, 100);
  g_assert_cmpuint (max_seen, >, 100000 / 4);
}

static void
test_backoff_jitter_equal_bounds (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 30000, 2.0, RWS_JITTER_EQUAL);
  guint below_three_quarters = 0;

  rws_backoff_set_seed (backoff, SEED);

  for (guint i = 0; i < DRAWS; i++)
    {
      guint base = rws_backoff_base_delay (backoff, rws_backoff_get_attempt (backoff));
      guint delay = rws_backoff_next (backoff);

      g_assert_cmpuint (delay, >=, base / 2);
      g_assert_cmpuint (delay, <=, base);
      if (delay < base / 2 + base / 4)
        below_three_quarters++;

      if (i % 10 == 9)
        rws_backoff_reset (backoff);
    }

  /* About half of the draws fall in the lower half of the random part. */
  g_assert_cmpuint (below_three_quarters, >, DRAWS * 4 / 10);
  g_assert_cmpuint (below_three_quarters, <, DRAWS * 6 / 10);
}

static void
test_backoff_jitter_decorrelated_bounds (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (1000, 30000, 2.0, RWS_JITTER_DECORRELATED);
  guint previous = 1000;
  gboolean reached_cap_region = FALSE;

  rws_backoff_set_seed (backoff, SEED);

  for (guint i = 0; i < DRAWS; i++)
    {
      guint delay = rws_backoff_next (backoff);

      g_assert_cmpuint (delay, >=, 1000);
      g_assert_cmpuint (delay, <=, 30000);
      g_assert_cmpuint (delay, <=, MAX (previous * 3, 1000));
      if (delay > 20000)
        reached_cap_region = TRUE;
      previous = delay;

      if (i % 100 == 99)
        {
          rws_backoff_reset (backoff);
          previous = 1000;
        }
    }

  g_assert_true (reached_cap_region);
}

static void
test_backoff_seed_reproducible (void)
{
  const RwsJitter kinds[] = { RWS_JITTER_FULL, RWS_JITTER_EQUAL, RWS_JITTER_DECORRELATED };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(RwsBackoff) first = rws_backoff_new (500, 60000, 2.0, kinds[k]);
      g_autoptr(RwsBackoff) second = rws_backoff_new (500, 60000, 2.0, kinds[k]);
      gboolean all_equal_to_base = TRUE;

      rws_backoff_set_seed (first, 7);
      rws_backoff_set_seed (second, 7);

      for (guint i = 0; i < 100; i++)
        {
          guint base = rws_backoff_base_delay (first, rws_backoff_get_attempt (first));
          guint a = rws_backoff_next (first);
          guint b = rws_backoff_next (second);

          g_assert_cmpuint (a, ==, b);
          if (a != base)
            all_equal_to_base = FALSE;
        }

      g_assert_false (all_equal_to_base);
    }
}

static void
test_backoff_reset (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (100, 30000, 2.0, RWS_JITTER_NONE);

  rws_backoff_next (backoff);
  rws_backoff_next (backoff);
  rws_backoff_next (backoff);
  g_assert_cmpuint (rws_backoff_get_attempt (backoff), ==, 3);

  rws_backoff_reset (backoff);
  g_assert_cmpuint (rws_backoff_get_attempt (backoff), ==, 0);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 100);

  /* Reconfiguring keeps the step, so a change while waiting goes on from it. */
  rws_backoff_configure (backoff, 10, 30000, 3.0, RWS_JITTER_NONE);
  g_assert_cmpuint (rws_backoff_next (backoff), ==, 30);
}

static void
test_backoff_zero_initial (void)
{
  g_autoptr(RwsBackoff) backoff = rws_backoff_new (0, 1000, 2.0, RWS_JITTER_DECORRELATED);

  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (rws_backoff_next (backoff), <=, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/none/growth", test_backoff_none_growth);
  g_test_add_func ("/backoff/none/multiplier", test_backoff_multiplier);
  g_test_add_func ("/backoff/cap", test_backoff_cap);
  g_test_add_func ("/backoff/overflow", test_backoff_overflow);
  g_test_add_func ("/backoff/jitter/full-bounds", test_backoff_jitter_full_bounds);
  g_test_add_func ("/backoff/jitter/equal-bounds", test_backoff_jitter_equal_bounds);
  g_test_add_func ("/backoff/jitter/decorrelated-bounds", test_backoff_jitter_decorrelated_bounds);
  g_test_add_func ("/backoff/seed-reproducible", test_backoff_seed_reproducible);
  g_test_add_func ("/backoff/reset", test_backoff_reset);
  g_test_add_func ("/backoff/zero-initial", test_backoff_zero_initial);

  return g_test_run ();
}
