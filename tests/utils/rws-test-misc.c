/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <string.h>

#include "rws-test-utils.h"

/* Period at which rws_test_wait_until() checks its condition even when no
 * other source wakes the main context up.
 */
#define WAIT_POLL_INTERVAL_MS 5

#define PEER_PORT_TIMEOUT_MS 10000
#define PEER_EXIT_TIMEOUT_MS 5000

/**
 * rws_test_count_open_fds:
 *
 * Counts the open file descriptors of the process by listing /proc/self/fd,
 * leaving out the descriptor of the listing itself.  Aborts the test if
 * /proc is not mounted.
 *
 * Returns: the number of open file descriptors
 */
guint
rws_test_count_open_fds (void)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  dir = g_dir_open ("/proc/self/fd", 0, &error);
  if (dir == NULL)
    g_error ("Failed to list open file descriptors: %s", error->message);

  while (g_dir_read_name (dir) != NULL)
    count++;

  g_assert (count > 0);

  return count - 1;
}

/**
 * rws_test_count_sources:
 * @context: (nullable): a main context, or %NULL for the global default one
 *
 * Counts the sources attached to @context and not destroyed, child sources
 * included.  GLib has no call for this, so the function attaches a dummy
 * source to learn the next source ID of @context, then looks up every lower
 * ID with g_main_context_find_source_by_id().  The cost is one hash lookup
 * per source ever attached to @context.
 *
 * NOTE: The GLib documentation calls looking up an ID that is not in use a
 * programmer error, but GLib 2.74 returns %NULL without a warning for it, which
 * this function relies on.  IDs restart from 1 after 2^32 sources, and from
 * then on the count misses sources whose ID is above the dummy's.
 *
 * Returns: the number of sources, without the dummy
 */
guint
rws_test_count_sources (GMainContext *context)
{
  g_autoptr(GSource) dummy = g_idle_source_new ();
  guint dummy_id;
  guint count = 0;

  if (context == NULL)
    context = g_main_context_default ();

  dummy_id = g_source_attach (dummy, context);
  for (guint id = 1; id < dummy_id; id++)
    {
      if (g_main_context_find_source_by_id (context, id) != NULL)
        count++;
    }
  g_source_destroy (dummy);

  return count;
}

static gboolean
set_flag (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;

  return G_SOURCE_REMOVE;
}

/**
 * rws_test_wait_ms:
 * @ms: time to wait, in milliseconds
 *
 * Iterates the thread-default main context for @ms milliseconds.
 */
void
rws_test_wait_ms (guint ms)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = g_timeout_source_new (ms);
  gboolean expired = FALSE;

  g_source_set_callback (timeout, set_flag, &expired, NULL);
  g_source_attach (timeout, context);

  while (!expired)
    g_main_context_iteration (context, TRUE);
}

static gboolean
keep_polling (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * rws_test_wait_until:
 * @condition: function that returns %TRUE once the wait is over
 * @user_data: data for @condition
 * @timeout_ms: maximum wait, in milliseconds
 *
 * Iterates the thread-default main context until @condition returns %TRUE or
 * @timeout_ms has passed.  @condition runs before each iteration and at
 * least every 5 ms, so it may test state that another thread changes.
 *
 * Returns: the last value @condition returned
 */
gboolean
rws_test_wait_until (RwsTestCondition condition,
                     gpointer         user_data,
                     guint            timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) tick = g_timeout_source_new (WAIT_POLL_INTERVAL_MS);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean condition_met;

  g_source_set_callback (tick, keep_polling, NULL, NULL);
  g_source_attach (tick, context);

  while (!(condition_met = condition (user_data)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (tick);

  return condition_met;
}

/* State of a wait on a private main context with a timeout. */
typedef struct
{
  gboolean      done;
  gboolean      timed_out;
  GCancellable *cancellable;
} PrivateWait;

static gboolean
cancel_private_wait (gpointer user_data)
{
  PrivateWait *wait = user_data;

  wait->timed_out = TRUE;
  g_cancellable_cancel (wait->cancellable);

  return G_SOURCE_REMOVE;
}

/* Runs context until wait->done, cancelling wait->cancellable after
 * timeout_ms.  The operation must set wait->done even when cancelled.
 */
static void
run_private_wait (GMainContext *context,
                  PrivateWait  *wait,
                  guint         timeout_ms)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, cancel_private_wait, wait, NULL);
  g_source_attach (timeout, context);

  while (!wait->done)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
}

typedef struct
{
  PrivateWait wait;
  char       *line;
  GError     *error;
} LineRead;

static void
on_first_line (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source_object),
                                                         result, NULL,
                                                         &read->error);
  read->wait.done = TRUE;
}

static void on_peer_line (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
read_next_peer_line (GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL,
                                       on_peer_line, g_object_ref (stream));
}

/* Copies the rest of the peer's stdout into the test log, so that the peer
 * never blocks on a full pipe.
 */
static void
on_peer_line (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GDataInputStream) stream = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish (stream, result, NULL, NULL);
  if (line == NULL)
    return;

  g_test_message ("peer: %s", line);
  read_next_peer_line (stream);
}

static void
on_peer_exited (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PrivateWait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source_object), result, NULL);
  wait->done = TRUE;
}

/* Waits up to timeout_ms for peer to exit, iterating a private main context.
 * Returns whether it exited.
 */
static gboolean
wait_peer_exit (GSubprocess *peer,
                guint        timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  PrivateWait wait = { FALSE, FALSE, cancellable };

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (peer, cancellable, on_peer_exited, &wait);
  run_private_wait (context, &wait, timeout_ms);
  g_main_context_pop_thread_default (context);

  return !wait.timed_out;
}

static void
kill_peer (GSubprocess *peer)
{
  g_subprocess_force_exit (peer);
  g_subprocess_wait (peer, NULL, NULL);
}

static gboolean
parse_port_line (const char *line,
                 guint      *out_port)
{
  guint64 port;

  if (!g_str_has_prefix (line, "PORT "))
    return FALSE;

  if (!g_ascii_string_to_unsigned (line + strlen ("PORT "), 10, 1, G_MAXUINT16,
                                   &port, NULL))
    return FALSE;

  *out_port = (guint) port;

  return TRUE;
}

/**
 * rws_test_spawn_peer:
 * @argv: (array zero-terminated=1): peer command line; argv[0] is looked up
 *   in PATH
 * @out_port: (out): port the peer listens on
 * @error: return location for an error
 *
 * Starts a peer program with its stdout piped and waits up to 10 s for its
 * first stdout line, which must be `PORT <n>` and be printed once the peer
 * listens.  The rest of the peer's stdout goes to g_test_message() while the
 * caller's thread-default main context runs.  The peer inherits stdin and
 * stderr.
 *
 * On failure the peer is killed, and @error is %G_IO_ERROR_TIMED_OUT when no
 * line came in time, %G_IO_ERROR_INVALID_DATA when the first line is not a
 * port line, or %G_IO_ERROR_CLOSED when the peer closed stdout first.
 *
 * Returns: (transfer full) (nullable): the running peer, to stop with
 *   rws_test_stop_peer()
 */
GSubprocess *
rws_test_spawn_peer (const char * const *argv,
                     guint              *out_port,
                     GError            **error)
{
  g_autoptr(GSubprocess) peer = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GDataInputStream) stdout_stream = NULL;
  LineRead read = { { FALSE, FALSE, NULL }, NULL, NULL };
  g_autofree char *line = NULL;
  guint port;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (out_port != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (peer == NULL)
    return NULL;

  stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  g_data_input_stream_set_newline_type (stdout_stream,
                                        G_DATA_STREAM_NEWLINE_TYPE_ANY);

  context = g_main_context_new ();
  cancellable = g_cancellable_new ();
  read.wait.cancellable = cancellable;

  g_main_context_push_thread_default (context);
  g_data_input_stream_read_line_async (stdout_stream, G_PRIORITY_DEFAULT,
                                       cancellable, on_first_line, &read);
  run_private_wait (context, &read.wait, PEER_PORT_TIMEOUT_MS);
  g_main_context_pop_thread_default (context);

  line = g_steal_pointer (&read.line);

  if (read.wait.timed_out)
    {
      g_clear_error (&read.error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "Peer %s printed no PORT line within %u ms",
                   argv[0], PEER_PORT_TIMEOUT_MS);
    }
  else if (read.error != NULL)
    {
      g_propagate_prefixed_error (error, read.error,
                                  "Failed to read the port line of peer %s: ",
                                  argv[0]);
    }
  else if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                   "Peer %s closed stdout before printing a PORT line",
                   argv[0]);
    }
  else if (!parse_port_line (line, &port))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Peer %s printed '%s' where 'PORT <n>' was expected",
                   argv[0], line);
    }
  else
    {
      read_next_peer_line (stdout_stream);
      *out_port = port;

      return g_steal_pointer (&peer);
    }

  kill_peer (peer);

  return NULL;
}

/**
 * rws_test_stop_peer:
 * @peer: a peer from rws_test_spawn_peer()
 *
 * Sends SIGTERM to @peer and waits for it to exit, killing it with SIGKILL
 * if it is still running after 5 s.  Does not unref @peer.
 */
void
rws_test_stop_peer (GSubprocess *peer)
{
  g_return_if_fail (G_IS_SUBPROCESS (peer));

  g_subprocess_send_signal (peer, SIGTERM);
  if (!wait_peer_exit (peer, PEER_EXIT_TIMEOUT_MS))
    {
      g_test_message ("Peer did not exit within %u ms of SIGTERM, killing it",
                      PEER_EXIT_TIMEOUT_MS);
      kill_peer (peer);
    }
}
