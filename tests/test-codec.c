/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The built-in codecs text, binary and json.  Tables of payloads are
 * decoded and encoded directly through codecs from the registry.  The same
 * cases then run end to end through a client, with UTF-8 split across
 * fragments, JSON up to max-payload-size and beyond, and invalid payloads
 * after which the client stays connected.
 *
 * What libsoup 3.2.3 does before a codec receives a payload: it checks a text
 * message as UTF-8 once the last fragment has arrived, so a character split
 * between frames is valid.  For invalid UTF-8 in a text message it sends a
 * close frame with 1007 (invalid data).  For a message larger than
 * max-payload-size it closes the socket without a close frame.  The
 * codecs' own UTF-8 check is reached end to end only by payloads in binary
 * frames. */

#include "config.h"

#include <string.h>

#include "rws-test-recorder.h"
#include "rws-test-utils.h"

#define WAIT_MS 8000

/* How long a test waits to see that nothing more happens. */
#define SETTLE_MS 300

#define MAX_LOGGED_EVENTS_SIZE 2000

#define MIB (1024 * 1024)
#define HUGE_PAYLOAD_SIZE (8 * MIB)

#define OPCODE_CONTINUATION 0x0
#define OPCODE_TEXT         0x1

static RwsCodec *
create_codec (const char *name)
{
  g_autoptr(GError) error = NULL;
  RwsCodec *codec = rws_registry_create_codec (rws_registry_get_default (), name, &error);

  g_assert_no_error (error);
  g_assert_true (RWS_IS_CODEC (codec));

  return codec;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

/* Returns @node as compact JSON text. */
static char *
json_compact (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* Returns JSON text of @depth nested arrays, or of @depth nested objects,
 * around the number 0. */
static char *
make_nested_json (guint    depth,
                  gboolean objects)
{
  GString *json = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (json, objects ? "{\"a\":" : "[");
  g_string_append_c (json, '0');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (json, objects ? '}' : ']');

  return g_string_free (json, FALSE);
}

#define ELEMENT_LETTERS 1000

/* Returns a JSON array of strings that is exactly @size bytes long, with
 * elements of ELEMENT_LETTERS letters and a last one that pads to @size. */
static char *
make_json_array (gsize  size,
                 guint *n_elements)
{
  GString *json = g_string_sized_new (size + 1);
  gsize padding;

  g_assert_cmpuint (size, >=, 4);

  *n_elements = 1;
  g_string_append_c (json, '[');
  /* An element with its quotes and comma, then room for the last element's
   * quotes and the closing bracket. */
  while (json->len + (ELEMENT_LETTERS + 3) + 3 <= size)
    {
      g_string_append_c (json, '"');
      for (guint i = 0; i < ELEMENT_LETTERS; i++)
        g_string_append_c (json, 'a');
      g_string_append (json, "\",");
      (*n_elements)++;
    }

  padding = size - json->len - 3;
  g_string_append_c (json, '"');
  for (gsize i = 0; i < padding; i++)
    g_string_append_c (json, 'b');
  g_string_append (json, "\"]");

  g_assert_cmpuint (json->len, ==, size);

  return g_string_free (json, FALSE);
}

/* Direct decoding. */

typedef struct
{
  const char *name;
  const char *codec;
  const char *payload;
  gssize size;           /* -1 for strlen (payload) */
  gboolean binary;       /* the payload arrived in binary frames */
  const char *text;      /* expected text, NULL when the codec gives none */
  const char *json;      /* expected value as compact JSON, or NULL */
  const char *error;     /* part of the expected error message, or NULL */
} DecodeCase;

static const DecodeCase decode_cases[] = {
  /* text */
  { "text/ascii", "text", "hello", -1, FALSE, "hello", NULL, NULL },
  { "text/multibyte", "text", "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", -1, FALSE,
    "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", NULL, NULL },
  { "text/empty", "text", "", 0, FALSE, "", NULL, NULL },
  { "text/overlong", "text", "ab\xc0\xaf" "cd", -1, FALSE, NULL, NULL, "at byte 2" },
  { "text/overlong-three-bytes", "text", "\xe0\x80\xaf", -1, FALSE, NULL, NULL, "at byte 0" },
  { "text/lone-continuation", "text", "abc\x80", -1, FALSE, NULL, NULL, "at byte 3" },
  { "text/truncated-at-end", "text", "abcd\xe2\x82", -1, FALSE, NULL, NULL, "at byte 4" },
  { "text/truncated-before-ascii", "text", "a\xe2\x82z", -1, FALSE, NULL, NULL, "at byte 1" },
  { "text/surrogate", "text", "x\xed\xa0\x80", -1, FALSE, NULL, NULL, "at byte 1" },
  { "text/above-unicode", "text", "\xf4\x90\x80\x80", -1, FALSE, NULL, NULL, "at byte 0" },
  /* NOTE: U+0000 is valid UTF-8, but the message text is a NUL-terminated
   * string, so the text codec rejects it and reports it as invalid UTF-8. */
  { "text/nul-byte", "text", "a\0b", 3, FALSE, NULL, NULL, "at byte 1" },
  { "text/binary-frame", "text", "\x00\xff\xfe", 3, TRUE, NULL, NULL, NULL },
  { "text/binary-frame-empty", "text", "", 0, TRUE, NULL, NULL, NULL },

  /* binary */
  { "binary/binary-frame", "binary", "\x00\xff\x10\x80", 4, TRUE, NULL, NULL, NULL },
  { "binary/binary-frame-empty", "binary", "", 0, TRUE, NULL, NULL, NULL },
  { "binary/text-frame", "binary", "hello", -1, FALSE, "hello", NULL, NULL },
  { "binary/text-frame-multibyte", "binary", "\xe2\x82\xac", -1, FALSE, "\xe2\x82\xac", NULL, NULL },
  { "binary/text-frame-empty", "binary", "", 0, FALSE, "", NULL, NULL },
  { "binary/text-frame-invalid", "binary", "ab\xff", -1, FALSE, NULL, NULL, "at byte 2" },

  /* json */
  { "json/object", "json", "{\"a\": 1, \"b\": [true, null]}", -1, FALSE,
    "{\"a\": 1, \"b\": [true, null]}", "{\"a\":1,\"b\":[true,null]}", NULL },
  { "json/array", "json", "[1, \"two\", 3.5]", -1, FALSE, "[1, \"two\", 3.5]", "[1,\"two\",3.5]", NULL },
  { "json/string", "json", "\"h\xc3\xa9\"", -1, FALSE, "\"h\xc3\xa9\"", "\"h\xc3\xa9\"", NULL },
  { "json/number", "json", "42", -1, FALSE, "42", "42", NULL },
  { "json/true", "json", "true", -1, FALSE, "true", "true", NULL },
  { "json/null", "json", "null", -1, FALSE, "null", "null", NULL },
  { "json/surrounding-whitespace", "json", "  [1]\n", -1, FALSE, "  [1]\n", "[1]", NULL },
  { "json/brackets-in-string", "json", "[\"[[{{\\\"]]\"]", -1, FALSE,
    "[\"[[{{\\\"]]\"]", "[\"[[{{\\\"]]\"]", NULL },
  { "json/binary-frame", "json", "[1,2]", -1, TRUE, NULL, "[1,2]", NULL },
  { "json/unclosed-object", "json", "{", -1, FALSE, NULL, NULL, "invalid JSON" },
  { "json/trailing-comma", "json", "[1,]", -1, FALSE, NULL, NULL, "invalid JSON" },
  { "json/bare-word", "json", "nope", -1, FALSE, NULL, NULL, "invalid JSON" },
  { "json/missing-value", "json", "{\"a\":}", -1, FALSE, NULL, NULL, "invalid JSON" },
  { "json/empty", "json", "", 0, FALSE, NULL, NULL, "empty" },
  { "json/whitespace-only", "json", "  \n", -1, FALSE, NULL, NULL, "no JSON value" },
  { "json/invalid-utf8", "json", "[\"\xff\"]", -1, TRUE, NULL, NULL, "at byte 2" },
};

static void
test_decode (gconstpointer data)
{
  const DecodeCase *c = data;
  gsize size = c->size >= 0 ? (gsize) c->size : strlen (c->payload);
  g_autoptr(RwsCodec) codec = create_codec (c->codec);
  g_autoptr(GBytes) payload = g_bytes_new_static (c->payload, size);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  gboolean decoded;

  decoded = rws_codec_decode (codec, payload, c->binary, &text, &json, &error);

  if (c->error != NULL)
    {
      g_assert_false (decoded);
      g_assert_error (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED);
      assert_contains (error->message, c->error);
      assert_contains (error->message, c->codec);
      g_assert_null (text);
      g_assert_null (json);
      return;
    }

  g_assert_no_error (error);
  g_assert_true (decoded);
  g_assert_cmpstr (text, ==, c->text);

  if (c->json != NULL)
    {
      g_autofree char *compact = NULL;

      g_assert_nonnull (json);
      compact = json_compact (json);
      g_assert_cmpstr (compact, ==, c->json);
    }
  else
    {
      g_assert_null (json);
    }
}

static gboolean
decode_json (RwsCodec    *codec,
             const char  *text,
             GError     **error)
{
  g_autoptr(GBytes) payload = g_bytes_new (text, strlen (text));
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *decoded_text = NULL;

  return rws_codec_decode (codec, payload, FALSE, &decoded_text, &json, error);
}

/* 512 levels of arrays or of objects are accepted and 513 rejected. */
static void
test_json_depth_default (void)
{
  g_autoptr(RwsCodec) codec = create_codec ("json");
  guint max_depth = 0;

  g_object_get (codec, "max-depth", &max_depth, NULL);
  g_assert_cmpuint (max_depth, ==, 512);

  for (guint objects = 0; objects <= 1; objects++)
    {
      g_autofree char *at_limit = make_nested_json (512, objects);
      g_autofree char *over_limit = make_nested_json (513, objects);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) over_error = NULL;

      g_test_message ("nested %s", objects ? "objects" : "arrays");

      g_assert_true (decode_json (codec, at_limit, &error));
      g_assert_no_error (error);

      g_assert_false (decode_json (codec, over_limit, &over_error));
      g_assert_error (over_error, RWS_ERROR, RWS_ERROR_DECODE_FAILED);
      assert_contains (over_error->message, "max-depth");
      assert_contains (over_error->message, "512");
    }
}

typedef struct
{
  const char *json;
  gboolean accepted;
} DepthCase;

/* With max-depth 3: brackets inside strings, escaped quotes included, do
 * not count as nesting. */
static const DepthCase depth_cases[] = {
  { "[[[0]]]", TRUE },
  { "[[[[0]]]]", FALSE },
  { "{\"a\":[{\"b\":0}]}", TRUE },
  { "[{\"a\":[{}]}]", FALSE },
  { "[[[\"[[[[[[\"]]]", TRUE },
  { "[[[\"\\\"[[[[\"]]]", TRUE },
  { "[[\"{\"],[[\"}\"]]]", TRUE },
};

static void
test_json_depth_property (void)
{
  g_autoptr(RwsCodec) codec = create_codec ("json");

  g_object_set (codec, "max-depth", 3, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (depth_cases); i++)
    {
      const DepthCase *c = &depth_cases[i];
      g_autoptr(GError) error = NULL;
      gboolean decoded;

      g_test_message ("%s", c->json);
      decoded = decode_json (codec, c->json, &error);

      if (c->accepted)
        {
          g_assert_no_error (error);
          g_assert_true (decoded);
        }
      else
        {
          g_assert_false (decoded);
          g_assert_error (error, RWS_ERROR, RWS_ERROR_DECODE_FAILED);
        }
    }
}

/* Direct encoding. */

static void
assert_payload (GBytes     *payload,
                const char *expected,
                gsize       expected_size)
{
  gsize size;
  const char *data;

  g_assert_nonnull (payload);
  data = g_bytes_get_data (payload, &size);
  g_assert_cmpmem (data, size, expected, expected_size);
}

static void
test_encode_node_compact (void)
{
  static const char * const codecs[] = { "json", "text", "binary" };
  g_autoptr(JsonNode) node = json_from_string ("{ \"a\" : [ 1, 2 ],\n  \"b\" : \"h\xc3\xa9\" }", NULL);
  const char *expected = "{\"a\":[1,2],\"b\":\"h\xc3\xa9\"}";

  g_assert_nonnull (node);

  for (gsize i = 0; i < G_N_ELEMENTS (codecs); i++)
    {
      g_autoptr(RwsCodec) codec = create_codec (codecs[i]);
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      gboolean binary = TRUE;

      g_test_message ("codec %s", codecs[i]);
      payload = rws_codec_encode (codec, node, NULL, &binary, &error);
      g_assert_no_error (error);
      assert_payload (payload, expected, strlen (expected));
      g_assert_false (binary);
    }
}

typedef struct
{
  const char *name;
  const char *codec;
  const char *bytes;
  gssize size;        /* -1 for strlen (bytes) */
  gboolean accepted;
  gboolean binary;    /* the expected frame type when accepted */
} EncodeCase;

static const EncodeCase encode_cases[] = {
  { "json/valid", "json", "[1, 2]", -1, TRUE, FALSE },
  { "json/not-json", "json", "not json", -1, FALSE, FALSE },
  { "json/unclosed", "json", "{\"a\":", -1, FALSE, FALSE },
  { "json/empty", "json", "", 0, FALSE, FALSE },
  { "json/invalid-utf8", "json", "\"\xff\"", -1, FALSE, FALSE },
  { "text/valid", "text", "h\xc3\xa9llo", -1, TRUE, FALSE },
  { "text/empty", "text", "", 0, TRUE, FALSE },
  { "text/invalid-utf8", "text", "ab\xc0\xaf", -1, FALSE, FALSE },
  { "binary/bytes", "binary", "\x00\xff\x10", 3, TRUE, TRUE },
  { "binary/text-bytes", "binary", "hello", -1, TRUE, TRUE },
};

static void
test_encode_bytes (gconstpointer data)
{
  const EncodeCase *c = data;
  gsize size = c->size >= 0 ? (gsize) c->size : strlen (c->bytes);
  g_autoptr(RwsCodec) codec = create_codec (c->codec);
  g_autoptr(GBytes) bytes = g_bytes_new_static (c->bytes, size);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean binary = !c->binary;

  payload = rws_codec_encode (codec, NULL, bytes, &binary, &error);

  if (!c->accepted)
    {
      g_assert_null (payload);
      g_assert_nonnull (error);
      g_assert_true (error->domain == RWS_ERROR);
      return;
    }

  g_assert_no_error (error);
  assert_payload (payload, c->bytes, size);
  g_assert_cmpint (binary, ==, c->binary);
}

/* End to end through a client. */

typedef struct
{
  RwsTestServer *server;
  RwsTestFrameServer *frame_server;
  RwsClient *client;
  RwsRecorder *recorder;
  GPtrArray *messages;  /* RwsMessage, in arrival order */
} Fixture;

static void
on_message (RwsClient  *client,
            RwsMessage *message,
            Fixture    *fixture)
{
  g_ptr_array_add (fixture->messages, g_object_ref (message));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->messages = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->client != NULL)
    {
      g_autofree char *events = rws_recorder_dump (fixture->recorder);

      /* The events hold whole messages, some of them megabytes long. */
      if (strlen (events) > MAX_LOGGED_EVENTS_SIZE)
        strcpy (events + MAX_LOGGED_EVENTS_SIZE - 4, "...");
      g_test_message ("events: %s", events);

      rws_client_close (fixture->client, 1000, NULL);
      rws_recorder_wait_state (fixture->recorder, RWS_STATE_CLOSED, WAIT_MS);
      g_signal_handlers_disconnect_by_data (fixture->client, fixture);
      g_clear_pointer (&fixture->recorder, rws_recorder_free);
      g_assert_finalize_object (g_steal_pointer (&fixture->client));
    }

  g_clear_pointer (&fixture->messages, g_ptr_array_unref);
  g_clear_pointer (&fixture->server, rws_test_server_free);
  g_clear_pointer (&fixture->frame_server, rws_test_frame_server_free);
}

/* Starts a client with @codec against @url and waits until it is ready.
 * A @max_payload_size of 0 keeps the default. */
static void
start_client (Fixture    *fixture,
              const char *url,
              const char *codec,
              guint64     max_payload_size)
{
  fixture->client = g_object_new (RWS_TYPE_CLIENT,
                                  "url", url,
                                  "codec", codec,
                                  "backoff-initial", 100,
                                  "backoff-jitter", RWS_JITTER_NONE,
                                  "keepalive-interval", 0,
                                  "watch-network", FALSE,
                                  NULL);
  if (max_payload_size > 0)
    rws_client_set_max_payload_size (fixture->client, max_payload_size);

  fixture->recorder = rws_recorder_new (fixture->client);
  g_signal_connect (fixture->client, "message", G_CALLBACK (on_message), fixture);

  rws_client_start (fixture->client);
  g_assert_true (rws_recorder_wait_state (fixture->recorder, RWS_STATE_READY, WAIT_MS));
}

static void
start_with_server (Fixture    *fixture,
                   const char *codec,
                   guint64     max_payload_size)
{
  g_autofree char *url = NULL;

  fixture->server = rws_test_server_new ();
  url = rws_test_server_dup_url (fixture->server);
  start_client (fixture, url, codec, max_payload_size);
}

static void
start_with_frame_server (Fixture    *fixture,
                         const char *codec)
{
  g_autofree char *url = NULL;

  fixture->frame_server = rws_test_frame_server_new ();
  url = rws_test_frame_server_dup_url (fixture->frame_server);
  start_client (fixture, url, codec, 0);
}

static RwsMessage *
wait_message (Fixture *fixture,
              guint    count)
{
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->messages->len, count, WAIT_MS));

  return g_ptr_array_index (fixture->messages, count - 1);
}

static void
assert_message_bytes (RwsMessage *message,
                      const char *expected,
                      gsize       expected_size)
{
  gsize size;
  const char *data = g_bytes_get_data (rws_message_get_bytes (message), &size);

  g_assert_cmpmem (data, size, expected, expected_size);
}

/* Asserts that the client is still on its first connection and ready. */
static void
assert_still_connected (Fixture *fixture)
{
  g_assert_cmpint (rws_client_get_state (fixture->client), ==, RWS_STATE_READY);
  g_assert_cmpuint (fixture->recorder->disconnected, ==, 0);
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 0);
  g_assert_cmpuint (fixture->recorder->ready, ==, 1);
}

static void
test_client_text_multibyte (Fixture       *fixture,
                            gconstpointer  data)
{
  const char *text = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
  RwsMessage *message;

  start_with_server (fixture, "text", 0);

  rws_test_server_send_text (fixture->server, text);
  message = wait_message (fixture, 1);

  g_assert_false (rws_message_is_binary (message));
  g_assert_cmpstr (rws_message_get_text (message), ==, text);
  g_assert_null (rws_message_get_json (message));
  assert_message_bytes (message, text, strlen (text));
}

static void
test_client_text_empty (Fixture       *fixture,
                        gconstpointer  data)
{
  RwsMessage *message;

  start_with_server (fixture, "text", 0);

  rws_test_server_send_text (fixture->server, "");
  message = wait_message (fixture, 1);

  g_assert_false (rws_message_is_binary (message));
  g_assert_cmpstr (rws_message_get_text (message), ==, "");
  g_assert_cmpuint (g_bytes_get_size (rws_message_get_bytes (message)), ==, 0);
  g_assert_cmpuint (fixture->recorder->errors, ==, 0);
}

typedef struct
{
  const char *codec;
  gboolean has_json;  /* the payload is JSON and the codec decodes it */
} BinaryFrameCase;

static const BinaryFrameCase binary_frame_text = { "text", FALSE };
static const BinaryFrameCase binary_frame_binary = { "binary", FALSE };
static const BinaryFrameCase binary_frame_json = { "json", TRUE };

/* A binary frame keeps its bytes and gets no text under every codec. */
static void
test_client_binary_frame (Fixture       *fixture,
                          gconstpointer  data)
{
  const BinaryFrameCase *c = data;
  /* Valid JSON for the json codec, not valid UTF-8 for the others. */
  const char *payload = c->has_json ? "[1,2]" : "\x00\xff\x10\x80";
  gsize size = c->has_json ? 5 : 4;
  g_autoptr(GBytes) bytes = g_bytes_new_static (payload, size);
  RwsMessage *message;

  start_with_server (fixture, c->codec, 0);

  rws_test_server_send_message (fixture->server, SOUP_WEBSOCKET_DATA_BINARY, bytes);
  message = wait_message (fixture, 1);

  g_assert_true (rws_message_is_binary (message));
  g_assert_null (rws_message_get_text (message));
  assert_message_bytes (message, payload, size);

  if (c->has_json)
    {
      g_autofree char *compact = json_compact (rws_message_get_json (message));

      g_assert_cmpstr (compact, ==, "[1,2]");
    }
  else
    {
      g_assert_null (rws_message_get_json (message));
    }

  g_assert_cmpuint (fixture->recorder->errors, ==, 0);
}

static void
test_client_binary_text_frame (Fixture       *fixture,
                               gconstpointer  data)
{
  RwsMessage *message;

  start_with_server (fixture, "binary", 0);

  rws_test_server_send_text (fixture->server, "caf\xc3\xa9");
  message = wait_message (fixture, 1);

  g_assert_false (rws_message_is_binary (message));
  g_assert_cmpstr (rws_message_get_text (message), ==, "caf\xc3\xa9");
  g_assert_null (rws_message_get_json (message));
}

/* UTF-8 split across fragments. */

typedef struct
{
  const char *name;
  const char *codec;
  /* NULL-terminated: a text frame, then continuation frames.  A single
   * entry is an unfragmented message. */
  const char *fragments[4];
  const char *text;  /* the expected message, or NULL if it is invalid */
  const char *json;  /* the expected value as compact JSON, or NULL */
} FragmentCase;

static const FragmentCase fragment_cases[] = {
  { "valid/two-byte", "text", { "caf\xc3", "\xa9", NULL }, "caf\xc3\xa9", NULL },
  { "valid/three-byte-after-first", "text", { "\xe2", "\x82\xac", NULL }, "\xe2\x82\xac", NULL },
  { "valid/three-byte-after-second", "text", { "price \xe2\x82", "\xac 5", NULL }, "price \xe2\x82\xac 5", NULL },
  { "valid/four-byte-three-frames", "text", { "\xf0", "\x9f\x98", "\x80!", NULL }, "\xf0\x9f\x98\x80!", NULL },
  { "valid/empty-first-frame", "text", { "", "ok", NULL }, "ok", NULL },
  { "valid/json-string", "json", { "[\"caf\xc3", "\xa9\"]", NULL }, "[\"caf\xc3\xa9\"]", "[\"caf\xc3\xa9\"]" },
  { "invalid/unfragmented", "text", { "ab\xff", NULL }, NULL, NULL },
  { "invalid/truncated-then-ascii", "text", { "ab\xe2\x82", "x", NULL }, NULL, NULL },
  { "invalid/overlong", "text", { "\xc0", "\xaf", NULL }, NULL, NULL },
  { "invalid/lone-continuation", "text", { "ok", "\x80", NULL }, NULL, NULL },
  { "invalid/truncated-at-end", "text", { "ok \xf0\x9f", "\x98", NULL }, NULL, NULL },
};

static void
send_fragments (RwsTestFrameServer *server,
                const char * const *fragments)
{
  for (guint i = 0; fragments[i] != NULL; i++)
    {
      gboolean fin = fragments[i + 1] == NULL;
      guint8 opcode = i == 0 ? OPCODE_TEXT : OPCODE_CONTINUATION;

      g_assert_true (rws_test_frame_server_send_frame (server, fin, opcode,
                                                       fragments[i], strlen (fragments[i])));
    }
}

/* The valid message after an invalid one, to show the client recovered. */
static const char * const recovery_fragments[] = { "after \xe2\x82", "\xac", NULL };

static void
test_client_fragments (Fixture       *fixture,
                       gconstpointer  data)
{
  const FragmentCase *c = data;
  RwsMessage *message;

  start_with_frame_server (fixture, c->codec);

  send_fragments (fixture->frame_server, c->fragments);

  if (c->text != NULL)
    {
      /* Reassembled before the UTF-8 check, so the message is valid. */
      message = wait_message (fixture, 1);
      g_assert_cmpstr (rws_message_get_text (message), ==, c->text);
      if (c->json != NULL)
        {
          g_autofree char *compact = json_compact (rws_message_get_json (message));

          g_assert_cmpstr (compact, ==, c->json);
        }

      rws_test_wait_ms (SETTLE_MS);
      g_assert_cmpuint (fixture->messages->len, ==, 1);
      g_assert_cmpuint (fixture->recorder->errors, ==, 0);
      assert_still_connected (fixture);
      return;
    }

  /* libsoup rejects the reassembled message before the codec receives it.
   * It sends a close frame with 1007, the server replies with the same code,
   * and the client reports libsoup's error ("Received invalid WebSocket
   * data from the server") as RWS_ERROR_PROTOCOL_ERROR and reconnects. */
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->disconnected, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, 1007);
  g_assert_cmpuint (rws_test_frame_server_get_last_close_code (fixture->frame_server), ==, 1007);
  g_assert_cmpuint (fixture->messages->len, ==, 0);
  g_assert_true (rws_recorder_has_event (fixture->recorder, "disconnected:1007"));
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->errors, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->errors, ==, 1);
  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_PROTOCOL_ERROR);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 1);
  g_assert_cmpuint (rws_test_frame_server_get_connections (fixture->frame_server), ==, 2);

  send_fragments (fixture->frame_server, recovery_fragments);
  message = wait_message (fixture, 1);
  g_assert_cmpstr (rws_message_get_text (message), ==, "after \xe2\x82\xac");
}

/* JSON end to end. */

static const char * const json_values[] = {
  "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
  "[]",
  "\"caf\xc3\xa9\"",
  "-1.5",
  "false",
};

static void
test_client_json_values (Fixture       *fixture,
                         gconstpointer  data)
{
  start_with_server (fixture, "json", 0);

  for (guint i = 0; i < G_N_ELEMENTS (json_values); i++)
    rws_test_server_send_text (fixture->server, json_values[i]);

  wait_message (fixture, G_N_ELEMENTS (json_values));

  for (guint i = 0; i < G_N_ELEMENTS (json_values); i++)
    {
      RwsMessage *message = g_ptr_array_index (fixture->messages, i);
      g_autofree char *compact = json_compact (rws_message_get_json (message));

      g_assert_cmpstr (rws_message_get_text (message), ==, json_values[i]);
      g_assert_cmpstr (compact, ==, json_values[i]);
    }

  g_assert_cmpuint (fixture->recorder->errors, ==, 0);
}

static void
test_client_json_deep (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *at_limit = make_nested_json (512, FALSE);
  JsonNode *node;
  guint depth = 0;

  start_with_server (fixture, "json", 0);

  rws_test_server_send_text (fixture->server, at_limit);
  node = rws_message_get_json (wait_message (fixture, 1));

  while (JSON_NODE_HOLDS_ARRAY (node))
    {
      depth++;
      node = json_array_get_element (json_node_get_array (node), 0);
    }
  g_assert_cmpuint (depth, ==, 512);
  g_assert_cmpuint (fixture->recorder->errors, ==, 0);
}

/* A message of exactly max-payload-size is delivered. */
static void
test_client_json_huge_at_limit (Fixture       *fixture,
                                gconstpointer  data)
{
  guint n_elements = 0;
  g_autofree char *huge = make_json_array (HUGE_PAYLOAD_SIZE, &n_elements);
  RwsMessage *message;
  JsonNode *json;

  start_with_server (fixture, "json", HUGE_PAYLOAD_SIZE);

  rws_test_server_send_text (fixture->server, huge);
  message = wait_message (fixture, 1);

  g_assert_cmpuint (g_bytes_get_size (rws_message_get_bytes (message)), ==, HUGE_PAYLOAD_SIZE);
  g_assert_cmpuint (strlen (rws_message_get_text (message)), ==, HUGE_PAYLOAD_SIZE);
  json = rws_message_get_json (message);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json)), ==, n_elements);
  g_assert_cmpuint (fixture->recorder->errors, ==, 0);
  assert_still_connected (fixture);
}

/* One byte over max-payload-size: the connection ends and the client
 * reconnects.
 *
 * NOTE: libsoup 3.2.3 does not send a close frame with 1009 here.  It
 * emits an error and closes the socket at once ("forcing close due to
 * error" in its debug output), so the client reports 1006 (no close frame)
 * and the server receives no close code. */
static void
test_client_json_over_limit (Fixture       *fixture,
                             gconstpointer  data)
{
  guint n_elements = 0;
  g_autofree char *huge = make_json_array (HUGE_PAYLOAD_SIZE + 1, &n_elements);
  const GError *error;

  start_with_server (fixture, "json", HUGE_PAYLOAD_SIZE);

  rws_test_server_send_text (fixture->server, huge);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->disconnected, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->last_close_code, ==, 1006);
  g_assert_true (rws_recorder_has_event (fixture->recorder, "disconnected:1006"));
  g_assert_cmpuint (fixture->messages->len, ==, 0);
  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->errors, 1, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->errors, ==, 1);

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->ready, 2, WAIT_MS));
  g_assert_cmpuint (fixture->recorder->reconnecting, ==, 1);
  g_assert_true (rws_test_server_wait_connections (fixture->server, 2, WAIT_MS));

  rws_test_server_send_text (fixture->server, "[\"after\"]");
  g_assert_cmpstr (rws_message_get_text (wait_message (fixture, 1)), ==, "[\"after\"]");

  error = fixture->recorder->last_error;
  g_assert_error (error, RWS_ERROR, RWS_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "max-payload-size"));
}

typedef struct
{
  const char *name;
  const char *payload;
  gboolean binary;
  const char *error;  /* part of the expected error message */
} InvalidJsonCase;

static const InvalidJsonCase invalid_json_cases[] = {
  { "unclosed-object", "{\"a\":1", FALSE, "invalid JSON" },
  { "bare-word", "hello", FALSE, "invalid JSON" },
  { "empty", "", FALSE, "empty" },
  { "whitespace-only", "   ", FALSE, "no JSON value" },
  { "too-deep", NULL, FALSE, "max-depth" },
  /* Invalid UTF-8 reaches the codec only in a binary frame. */
  { "invalid-utf8-binary-frame", "[\"\xff\"]", TRUE, "at byte 2" },
};

/* An invalid payload is an error signal with DECODE_FAILED.  The client
 * stays on the same connection and delivers the next message. */
static void
test_client_json_invalid (Fixture       *fixture,
                          gconstpointer  data)
{
  const InvalidJsonCase *c = data;
  g_autofree char *too_deep = make_nested_json (513, FALSE);
  const char *payload = c->payload != NULL ? c->payload : too_deep;
  RwsMessage *message;

  start_with_server (fixture, "json", 0);

  if (c->binary)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (payload, strlen (payload));

      rws_test_server_send_message (fixture->server, SOUP_WEBSOCKET_DATA_BINARY, bytes);
    }
  else
    {
      rws_test_server_send_text (fixture->server, payload);
    }

  g_assert_true (rws_recorder_wait_count (fixture->recorder, &fixture->recorder->errors, 1, WAIT_MS));
  g_assert_error (fixture->recorder->last_error, RWS_ERROR, RWS_ERROR_DECODE_FAILED);
  assert_contains (fixture->recorder->last_error->message, c->error);
  g_assert_cmpuint (fixture->messages->len, ==, 0);

  rws_test_server_send_text (fixture->server, "{\"next\":true}");
  message = wait_message (fixture, 1);
  g_assert_cmpstr (rws_message_get_text (message), ==, "{\"next\":true}");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (rws_message_get_json (message)));

  g_assert_cmpuint (fixture->recorder->errors, ==, 1);
  assert_still_connected (fixture);
}

static void
add_client_test (const char    *path,
                 gconstpointer  data,
                 void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_set_up, test, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  rws_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (decode_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/codec/decode/%s", decode_cases[i].name);

      g_test_add_data_func (path, &decode_cases[i], test_decode);
    }

  g_test_add_func ("/codec/decode/json/depth-default", test_json_depth_default);
  g_test_add_func ("/codec/decode/json/depth-property", test_json_depth_property);

  g_test_add_func ("/codec/encode/node-compact", test_encode_node_compact);
  for (gsize i = 0; i < G_N_ELEMENTS (encode_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/codec/encode/%s", encode_cases[i].name);

      g_test_add_data_func (path, &encode_cases[i], test_encode_bytes);
    }

  add_client_test ("/codec/client/text/multibyte", NULL, test_client_text_multibyte);
  add_client_test ("/codec/client/text/empty", NULL, test_client_text_empty);
  add_client_test ("/codec/client/text/binary-frame", &binary_frame_text, test_client_binary_frame);
  add_client_test ("/codec/client/binary/binary-frame", &binary_frame_binary, test_client_binary_frame);
  add_client_test ("/codec/client/binary/text-frame", NULL, test_client_binary_text_frame);
  add_client_test ("/codec/client/json/binary-frame", &binary_frame_json, test_client_binary_frame);
  add_client_test ("/codec/client/json/values", NULL, test_client_json_values);
  add_client_test ("/codec/client/json/deep", NULL, test_client_json_deep);
  add_client_test ("/codec/client/json/huge-at-limit", NULL, test_client_json_huge_at_limit);
  add_client_test ("/codec/client/json/over-limit", NULL, test_client_json_over_limit);

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_json_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/codec/client/json/invalid/%s", invalid_json_cases[i].name);

      add_client_test (path, &invalid_json_cases[i], test_client_json_invalid);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (fragment_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/codec/client/fragments/%s", fragment_cases[i].name);

      add_client_test (path, &fragment_cases[i], test_client_fragments);
    }

  return g_test_run ();
}
