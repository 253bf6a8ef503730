/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Fault-injection helpers for the C tests: a WebSocket server on its own
 * thread, a TCP listener that never responds, a GNetworkMonitor under test
 * control, main-loop waits and a peer-process launcher.  None of it uses
 * the Rws library, so the tests drive the client from the outside.
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* RwsTestServer: a SoupServer on 127.0.0.1 at an ephemeral port, running in
 * a dedicated thread with its own GMainContext.  Every public function is
 * called from the test thread (never from the server thread) and passes its
 * work to the server thread.  Functions that act on connections block until
 * the server thread has run them, so they also block while the server is
 * frozen.
 */
typedef struct _RwsTestServer RwsTestServer;

/* Binary messages appear in rws_test_server_dup_received() as this prefix
 * followed by the payload in lowercase hexadecimal.
 */
#define RWS_TEST_SERVER_BINARY_PREFIX "binary:"

RwsTestServer *rws_test_server_new                 (void);
void           rws_test_server_free                (RwsTestServer *server);
guint          rws_test_server_get_port            (RwsTestServer *server);
char          *rws_test_server_dup_url             (RwsTestServer *server);

void           rws_test_server_refuse              (RwsTestServer *server,
                                                    guint          status,
                                                    const char    *retry_after,
                                                    int            count);
void           rws_test_server_set_close_on_open   (RwsTestServer *server,
                                                    int            close_code);
void           rws_test_server_set_echo            (RwsTestServer *server,
                                                    gboolean       echo);
void           rws_test_server_set_require_header  (RwsTestServer *server,
                                                    const char    *name,
                                                    const char    *value);

/* RwsTestServerReplyFunc: replies to one message that the server received.
 * @connection is the number of the connection that received @message,
 * counted from 1 in the order the server accepted them.  @message is
 * recorded as in rws_test_server_dup_received().  It runs in the server
 * thread, so state it shares with the test needs a lock or atomics.
 * Returns (transfer full) (nullable) (element-type utf8) the text messages
 * to send back on the same connection, in order, or NULL to send none.
 */
typedef GPtrArray *(*RwsTestServerReplyFunc) (guint       connection,
                                              const char *message,
                                              gpointer    user_data);

void           rws_test_server_set_reply_func      (RwsTestServer          *server,
                                                    RwsTestServerReplyFunc  func,
                                                    gpointer                user_data,
                                                    GDestroyNotify          destroy);

void           rws_test_server_close_all           (RwsTestServer *server,
                                                    gushort        code,
                                                    const char    *reason);
void           rws_test_server_drop_all            (RwsTestServer *server);
void           rws_test_server_send_text           (RwsTestServer *server,
                                                    const char    *text);
void           rws_test_server_send_message        (RwsTestServer         *server,
                                                    SoupWebsocketDataType  type,
                                                    GBytes                *payload);
void           rws_test_server_freeze              (RwsTestServer *server,
                                                    guint          ms);

guint          rws_test_server_get_upgrade_requests (RwsTestServer *server);
guint          rws_test_server_get_connections     (RwsTestServer *server);
guint          rws_test_server_get_open_connections (RwsTestServer *server);
guint          rws_test_server_get_received_count  (RwsTestServer *server);
GPtrArray     *rws_test_server_dup_received        (RwsTestServer *server);
char          *rws_test_server_dup_last_header     (RwsTestServer *server,
                                                    const char    *name);
gushort        rws_test_server_get_last_close_code (RwsTestServer *server);
gboolean       rws_test_server_wait_received       (RwsTestServer *server,
                                                    guint          count,
                                                    guint          timeout_ms);
gboolean       rws_test_server_wait_connections    (RwsTestServer *server,
                                                    guint          count,
                                                    guint          timeout_ms);
gboolean       rws_test_server_wait_open_connections (RwsTestServer *server,
                                                      guint          count,
                                                      guint          timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsTestServer, rws_test_server_free)

/* RwsTestSilentListener: a TCP socket on 127.0.0.1 that listens but never
 * accepts.  The kernel completes a client's TCP connect through the listen
 * backlog, but no HTTP response ever comes.
 */
typedef struct _RwsTestSilentListener RwsTestSilentListener;

RwsTestSilentListener *rws_test_silent_listener_new      (void);
void                   rws_test_silent_listener_free     (RwsTestSilentListener *listener);
guint                  rws_test_silent_listener_get_port (RwsTestSilentListener *listener);
char                  *rws_test_silent_listener_dup_url  (RwsTestSilentListener *listener);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsTestSilentListener, rws_test_silent_listener_free)

/* RwsTestFrameServer: a WebSocket server on 127.0.0.1 that completes the
 * handshake itself and sends frames built by the test, such as a text
 * message split into a first frame and continuation frames, which
 * SoupWebsocketConnection cannot send.  It replies to a client's close frame
 * with the same code and to a ping with a pong, and ignores data frames.
 */
typedef struct _RwsTestFrameServer RwsTestFrameServer;

RwsTestFrameServer *rws_test_frame_server_new                 (void);
void                rws_test_frame_server_free                (RwsTestFrameServer *server);
char               *rws_test_frame_server_dup_url             (RwsTestFrameServer *server);
gboolean            rws_test_frame_server_send_frame          (RwsTestFrameServer *server,
                                                               gboolean            fin,
                                                               guint8              opcode,
                                                               const void         *payload,
                                                               gsize               size);
guint               rws_test_frame_server_get_connections     (RwsTestFrameServer *server);
gushort             rws_test_frame_server_get_last_close_code (RwsTestFrameServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsTestFrameServer, rws_test_frame_server_free)

/* RwsTestNetworkMonitor: a GNetworkMonitor whose reachability the test sets,
 * for the client's construct-only network-monitor property.
 */
#define RWS_TEST_TYPE_NETWORK_MONITOR (rws_test_network_monitor_get_type ())

G_DECLARE_FINAL_TYPE (RwsTestNetworkMonitor, rws_test_network_monitor,
                      RWS_TEST, NETWORK_MONITOR, GObject)

RwsTestNetworkMonitor *rws_test_network_monitor_new              (gboolean reachable);
void                   rws_test_network_monitor_set_reachable    (RwsTestNetworkMonitor *monitor,
                                                                  gboolean               reachable);
gboolean               rws_test_network_monitor_get_reachable    (RwsTestNetworkMonitor *monitor);
guint                  rws_test_network_monitor_get_reach_checks (RwsTestNetworkMonitor *monitor);
void                   rws_test_network_monitor_set_resolve_fails (RwsTestNetworkMonitor *monitor,
                                                                   gboolean               resolve_fails);

/* Main-loop and process helpers */
typedef gboolean (*RwsTestCondition) (gpointer user_data);

guint        rws_test_count_open_fds (void);
guint        rws_test_count_sources  (GMainContext *context);
void         rws_test_wait_ms        (guint ms);
gboolean     rws_test_wait_until     (RwsTestCondition condition,
                                      gpointer         user_data,
                                      guint            timeout_ms);
GSubprocess *rws_test_spawn_peer     (const char * const *argv,
                                      guint              *out_port,
                                      GError            **error);
void         rws_test_stop_peer      (GSubprocess *peer);

G_END_DECLS
