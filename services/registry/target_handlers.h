/* target_handlers.h - the registry's requests about plans' targets */
#ifndef PARTRACK_TARGET_HANDLERS_H
#define PARTRACK_TARGET_HANDLERS_H

#include "registry_call.h"

void target_handle_import(call_t *c);
void target_handle_list(call_t *c);
void target_handle_cascade(call_t *c);

#endif
