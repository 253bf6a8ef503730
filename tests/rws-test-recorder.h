/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "rws.h"

G_BEGIN_DECLS

/* Records every signal a client emits, in order, so tests can assert on
 * the exact sequence. Events are strings such as "state:ready",
 * "connected", "ready", "message:TEXT", "reconnecting:2:400",
 * "disconnected:1006", "error:3" (an RwsError code) and "closed". */
typedef struct
{
  RwsClient *client;
  GPtrArray *events;
  GPtrArray *messages;  /* text of each message, binary as "binary:<size>" */
  GArray *delays;       /* delay_ms of each reconnecting signal */
  guint connected;
  guint ready;
  guint disconnected;
  guint reconnecting;
  guint errors;
  guint closed;
  guint prepare_handshake;
  guint last_attempt;
  guint last_close_code;
  GError *last_error;
  /* Set when any signal arrives after closed. */
  gboolean signal_after_closed;
} RwsRecorder;

RwsRecorder *rws_recorder_new        (RwsClient *client);
void         rws_recorder_free       (RwsRecorder *recorder);
void         rws_recorder_watch_handshake (RwsRecorder *recorder);
void         rws_recorder_clear      (RwsRecorder *recorder);
gboolean     rws_recorder_wait_state (RwsRecorder *recorder,
                                      RwsState     state,
                                      guint        timeout_ms);
gboolean     rws_recorder_wait_count (RwsRecorder *recorder,
                                      const guint *counter,
                                      guint        value,
                                      guint        timeout_ms);
gboolean     rws_recorder_has_event  (RwsRecorder *recorder,
                                      const char  *event);
char        *rws_recorder_dump       (RwsRecorder *recorder);

void         rws_test_init           (int    *argc,
                                      char ***argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsRecorder, rws_recorder_free)

G_END_DECLS
