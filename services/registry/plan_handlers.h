/* plan_handlers.h - the registry's requests about plans and tasks */
#ifndef PARTRACK_PLAN_HANDLERS_H
#define PARTRACK_PLAN_HANDLERS_H

#include "registry_call.h"

void plan_handle_import(call_t *c);
void plan_handle_import_batch(call_t *c);
void plan_handle_show(call_t *c);
void plan_handle_tree(call_t *c);
void plan_handle_coverage(call_t *c);
void task_handle_list(call_t *c);
void task_handle_show(call_t *c);
void task_handle_update(call_t *c);
void task_handle_trigger(call_t *c);
void task_handle_feed(call_t *c);
void task_handle_reschedule(call_t *c);

#endif
