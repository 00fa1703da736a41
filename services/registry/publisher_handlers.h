/* publisher_handlers.h - the registry's requests about publishers: the other
 * systems that publish into partrack's ingest endpoint */
#ifndef PARTRACK_PUBLISHER_HANDLERS_H
#define PARTRACK_PUBLISHER_HANDLERS_H

#include "registry_call.h"

void publisher_handle_add(call_t *c);
void publisher_handle_revoke(call_t *c);
void publisher_handle_list(call_t *c);

#endif
