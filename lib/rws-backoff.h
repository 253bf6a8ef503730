/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

#include "rws-types.h"

G_BEGIN_DECLS

/*
 * RwsBackoff computes reconnection delays in milliseconds. It has no
 * timers and no sockets, so tests drive it directly.
 *
 * The base delay of failed attempt n (counted from 0) is
 * `initial * multiplier^n`, capped at `max`. Jitter then picks the actual
 * delay. Every delay lies in [0, max] for any attempt count.
 */
typedef struct _RwsBackoff RwsBackoff;

RwsBackoff *rws_backoff_new          (guint      initial_ms,
                                      guint      max_ms,
                                      double     multiplier,
                                      RwsJitter  jitter);
void        rws_backoff_free         (RwsBackoff *backoff);
void        rws_backoff_configure    (RwsBackoff *backoff,
                                      guint       initial_ms,
                                      guint       max_ms,
                                      double      multiplier,
                                      RwsJitter   jitter);
void        rws_backoff_set_seed     (RwsBackoff *backoff,
                                      guint32     seed);
guint       rws_backoff_base_delay   (RwsBackoff *backoff,
                                      guint64     attempt);
guint       rws_backoff_next         (RwsBackoff *backoff);
void        rws_backoff_reset        (RwsBackoff *backoff);
guint64     rws_backoff_get_attempt  (RwsBackoff *backoff);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsBackoff, rws_backoff_free)

G_END_DECLS
