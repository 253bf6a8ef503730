/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The meaning of each failure for the next attempt:
 *
 * - Transient: network errors, handshake timeout, dead peer, close codes
 *   1000 (counted as a failed attempt), 1001, 1006, 1011, 1012, 1013 and
 *   1014, HTTP 5xx, 408 and 429. A Retry-After header on 429 or 503 sets
 *   the next delay.
 * - Fatal: an invalid URL, a TLS certificate that is not trusted, HTTP
 *   400, 401, 403 and 404 and the other 4xx statuses, and close code 1008
 *   (policy violation).
 * - Close codes that are neither (1002, 1003, 1007, 1009, 1010 and the
 *   application range 3000-4999) retry, because only a protocol plugin
 *   can tell which of its own codes are fatal.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rws-client-private.h"

gboolean
rws_policy_close_code_is_fatal (gushort code)
{
  return code == SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION;
}

gboolean
rws_policy_http_status_is_fatal (guint status)
{
  if (status == SOUP_STATUS_REQUEST_TIMEOUT || status == RWS_HTTP_TOO_MANY_REQUESTS)
    return FALSE;

  /* 425 Too Early means the request may succeed when retried. */
  if (status == 425)
    return FALSE;

  return status >= 400 && status < 500;
}

gboolean
rws_policy_handshake_is_fatal (const GError *error,
                               guint         http_status)
{
  if (http_status >= 100)
    return rws_policy_http_status_is_fatal (http_status);

  /* Trust does not change between attempts: only tls-ca-file or the
   * system's store can fix it. */
  return g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
         g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
}

/* Parses a Retry-After value, either delay-seconds or an HTTP-date
 * (RFC 9110 10.2.3), into a delay in milliseconds. */
gboolean
rws_policy_parse_retry_after (const char *value,
                              gint64      now_unix_seconds,
                              guint      *delay_ms)
{
  g_autoptr(GDateTime) date = NULL;
  guint64 seconds;
  gint64 difference;

  if (value == NULL)
    return FALSE;

  while (g_ascii_isspace (*value))
    value++;

  if (g_ascii_isdigit (*value))
    {
      const char *end = NULL;

      seconds = g_ascii_strtoull (value, (char **) &end, 10);
      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0')
        return FALSE;

      *delay_ms = (guint) MIN (seconds, G_MAXUINT / 1000) * 1000;
      return TRUE;
    }

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return FALSE;

  difference = g_date_time_to_unix (date) - now_unix_seconds;
  *delay_ms = difference <= 0 ? 0 : (guint) MIN (difference, G_MAXUINT / 1000) * 1000;

  return TRUE;
}

/* Translates what libsoup reported about a failed handshake into an
 * RWS_ERROR. */
GError *
rws_policy_handshake_error (const GError *error,
                            guint         http_status,
                            const char   *url,
                            gboolean      timed_out,
                            guint         timeout_ms)
{
  g_autofree char *redacted = rws_policy_redact_url (url);

  if (timed_out)
    return g_error_new (RWS_ERROR, RWS_ERROR_HANDSHAKE_TIMEOUT,
                        /* Translators: the first value is a URL, the second a number of milliseconds. */
                        _("Connecting to %s timed out after %u ms"),
                        redacted, timeout_ms);

  if (http_status >= 100 && http_status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return g_error_new (RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED,
                        /* Translators: the first value is a URL, then an HTTP status code and its reason phrase. */
                        _("The server at %s answered the WebSocket upgrade with HTTP %u %s"),
                        redacted, http_status, soup_status_get_phrase (http_status));

  if (error != NULL && error->domain == SOUP_WEBSOCKET_ERROR)
    return g_error_new (RWS_ERROR, RWS_ERROR_HANDSHAKE_FAILED,
                        /* Translators: the first value is a URL, the second an error message. */
                        _("The WebSocket handshake with %s failed: %s"),
                        redacted, error->message);

  return g_error_new (RWS_ERROR, RWS_ERROR_CONNECTION_FAILED,
                      /* Translators: the first value is a URL, the second an error message. */
                      _("Could not connect to %s: %s"),
                      redacted, error != NULL ? error->message : _("unknown error"));
}

GError *
rws_policy_close_error (gushort     code,
                        const char *reason)
{
  if (code == SOUP_WEBSOCKET_CLOSE_TOO_BIG)
    return g_error_new (RWS_ERROR, RWS_ERROR_PAYLOAD_TOO_LARGE,
                        _("The server closed the connection because a message was too large (close code 1009)"));

  if (reason != NULL && *reason != '\0')
    return g_error_new (RWS_ERROR, RWS_ERROR_CLOSED_BY_PEER,
                        /* Translators: the first value is a WebSocket close code, the second the reason the server gave. */
                        _("The server closed the connection with code %u: %s"),
                        code, reason);

  return g_error_new (RWS_ERROR, RWS_ERROR_CLOSED_BY_PEER,
                      /* Translators: the value is a WebSocket close code. */
                      _("The server closed the connection with code %u"),
                      code);
}

gboolean
rws_policy_validate_url (const char  *url,
                         GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, RWS_ERROR, RWS_ERROR_INVALID_URL,
                           _("No URL is set. Set a ws:// or wss:// URL such as ws://127.0.0.1:8080/"));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &parse_error);
  if (uri == NULL)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_INVALID_URL,
                   /* Translators: the first value is the URL, the second describes what is wrong with it. */
                   _("Invalid URL “%s”: %s. Use a ws:// or wss:// URL such as ws://127.0.0.1:8080/"),
                   url, parse_error->message);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_INVALID_URL,
                   /* Translators: the first value is the URL, the second its scheme. */
                   _("Invalid URL “%s”: the scheme “%s” is not ws or wss. Use a ws:// or wss:// URL"),
                   url, scheme);
      return FALSE;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_INVALID_URL,
                   /* Translators: the value is the URL. */
                   _("Invalid URL “%s”: it has no host. Use a URL such as ws://127.0.0.1:8080/"),
                   url);
      return FALSE;
    }

  return TRUE;
}

/* Returns the URL without user information, query and fragment, which may
 * carry tokens, for logs and error messages. */
char *
rws_policy_redact_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return g_strdup ("(none)");

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup (url);

  return g_uri_join (G_URI_FLAGS_ENCODED,
                     g_uri_get_scheme (uri), NULL,
                     g_uri_get_host (uri), g_uri_get_port (uri),
                     g_uri_get_path (uri), NULL, NULL);
}

/* A header name is an RFC 9110 token, and a value has no control
 * characters but tab, so no header can split the request. */
gboolean
rws_policy_validate_header (const char  *name,
                            const char  *value,
                            GError     **error)
{
  const char *token_symbols = "!#$%&'*+-.^_`|~";
  gboolean valid_name = name != NULL && *name != '\0';

  for (const char *p = name; valid_name && *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (token_symbols, *p) == NULL)
      valid_name = FALSE;

  if (!valid_name)
    {
      g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                   /* Translators: the value is a header name. */
                   _("invalid header name “%s”: use letters, digits and !#$%%&'*+-.^_`|~ only, as in X-Api-Key"),
                   name != NULL ? name : "");
      return FALSE;
    }

  for (const char *p = value; value != NULL && *p != '\0'; p++)
    if ((g_ascii_iscntrl (*p) && *p != '\t') || *p == 0x7f)
      {
        /* The value is left out of the message: it may be a secret. */
        g_set_error (error, RWS_ERROR, RWS_ERROR_CONFIG_INVALID,
                     /* Translators: the value is a header name. */
                     _("the value of the header %s contains a line break or another control character"),
                     name);
        return FALSE;
      }

  return TRUE;
}
