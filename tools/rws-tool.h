/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Declarations shared by the commands of the rws program. Each command
 * lives in its own rws-COMMAND.c file and is listed in the command table of
 * rws.c.
 */

#pragma once

#include <rws.h>

G_BEGIN_DECLS

/* Exit statuses of every command. */
typedef enum
{
  RWS_TOOL_EXIT_SUCCESS = 0,
  /* A runtime failure: the client reached RWS_STATE_FAILED, or messages
   * could not be sent. */
  RWS_TOOL_EXIT_FAILURE = 1,
  /* Invalid command line or configuration. */
  RWS_TOOL_EXIT_USAGE   = 2,
} RwsToolExit;

/* A command's entry point. @argv[0] is "rws COMMAND" and the options and
 * arguments of the command follow. */
typedef int (*RwsToolCommandFunc) (int    argc,
                                   char **argv);

int   rws_tool_connect            (int    argc,
                                   char **argv);
int   rws_tool_demo               (int    argc,
                                   char **argv);
int   rws_tool_plugins            (int    argc,
                                   char **argv);
int   rws_tool_run                (int    argc,
                                   char **argv);

/* rws.c: messages on stderr. */
void  rws_tool_set_verbosity      (gboolean quiet,
                                   gboolean verbose);
void  rws_tool_print_error        (const char *format,
                                   ...) G_GNUC_PRINTF (1, 2);
int   rws_tool_usage_error        (const char *command,
                                   const char *message);

/* rws-options.c: parsing and checking option values. */

/* An option of a command that sets the RwsClient property of the same
 * name, such as --backoff-initial. */
typedef struct
{
  const char *name;             /* option and property name */
  const char *arg_description;  /* placeholder in --help, such as "MS" */
  const char *description;      /* untranslated help text, with the unit */
  const char *value_kind;       /* untranslated, such as "a whole number of milliseconds" */
} RwsToolPropertyOption;

typedef struct _RwsToolPropertyOptions RwsToolPropertyOptions;

RwsToolPropertyOptions *rws_tool_property_options_new   (const RwsToolPropertyOption *options,
                                                         gsize                        n_options);
void                    rws_tool_property_options_free  (RwsToolPropertyOptions *self);
GOptionEntry           *rws_tool_property_options_get_entries (RwsToolPropertyOptions *self);
gboolean                rws_tool_property_options_apply (RwsToolPropertyOptions  *self,
                                                         RwsClient               *client,
                                                         GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsToolPropertyOptions, rws_tool_property_options_free)

gboolean rws_tool_parse_unsigned  (const char  *option,
                                   const char  *text,
                                   guint64      min,
                                   guint64      max,
                                   const char  *value_kind,
                                   guint64     *value,
                                   GError     **error);
gboolean rws_tool_check_url       (const char  *option,
                                   const char  *url,
                                   GError     **error);
gboolean rws_tool_is_http_token   (const char  *text);
gboolean rws_tool_parse_header    (const char  *text,
                                   char       **name,
                                   char       **value,
                                   GError     **error);
char    *rws_tool_redact_url      (const char *url);
gboolean rws_tool_apply_settings  (RwsClient           *client,
                                   const char * const  *settings,
                                   GError             **error);

/* rws-connect.c: received messages on stdout, shared with "rws run". */
gboolean rws_tool_write_stdout        (const void *data,
                                       gsize       size);
char    *rws_tool_format_receive_time (RwsMessage *message);
gboolean rws_tool_print_message_json  (RwsMessage *message,
                                       const char *source_member,
                                       const char *source_value);

/* rws-lifecycle.c: lifecycle lines about a client on stderr. */
typedef struct _RwsToolLifecycle RwsToolLifecycle;

RwsToolLifecycle *rws_tool_lifecycle_new   (RwsClient  *client,
                                            const char *endpoint);
void              rws_tool_lifecycle_free  (RwsToolLifecycle *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RwsToolLifecycle, rws_tool_lifecycle_free)

G_END_DECLS
