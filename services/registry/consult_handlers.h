/* consult_handlers.h - the registry's requests about consultations */
#ifndef PARTRACK_CONSULT_HANDLERS_H
#define PARTRACK_CONSULT_HANDLERS_H

#include "registry_call.h"

void consult_handle_request(call_t *c);
void consult_handle_answer(call_t *c);
void consult_handle_show(call_t *c);

#endif
