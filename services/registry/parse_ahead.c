/* parse_ahead.c - reading a batch's plan tables on a second thread
 *
 * A batch import alternates CPU work (reading a table: NFC, splitting,
 * deadlines) with waiting on PostgreSQL (storing the previous plan). One
 * worker thread reads the tables in order while the handler's thread stores
 * them, so both cores work. The worker only reads its inputs (the request,
 * the calendar: both unchanged until parse_ahead_stop) and writes its own
 * slots; each slot is handed over under the mutex.
 */
#include "parse_ahead.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    plan_doc_t *doc;
    char reason[512];
} slot_t;

struct parse_ahead {
    const Partrack__PlanImportBatchRequest *req;
    const workcal_t *cal;
    slot_t *slots;
    size_t ready; /* slots [0, ready) are filled */
    bool stop;
    pthread_mutex_t lock;
    pthread_cond_t filled;
    pthread_t worker;
};

static void *work(void *arg)
{
    parse_ahead_t *self = arg;
    for (size_t i = 0; i < self->req->n_plans; i++) {
        pthread_mutex_lock(&self->lock);
        bool stop = self->stop;
        pthread_mutex_unlock(&self->lock);
        if (stop)
            break;
        const Partrack__PlanImportRequest *p = self->req->plans[i];
        slot_t *s = &self->slots[i];
        s->doc =
            plan_table_read(p->file->name, (const char *)p->file->content.data,
                            p->file->content.len, p->year, self->cal, s->reason, sizeof s->reason);
        pthread_mutex_lock(&self->lock);
        self->ready = i + 1;
        pthread_cond_signal(&self->filled);
        pthread_mutex_unlock(&self->lock);
    }
    return NULL;
}

parse_ahead_t *parse_ahead_start(const Partrack__PlanImportBatchRequest *req, const workcal_t *cal)
{
    parse_ahead_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->req = req;
    self->cal = cal;
    self->slots = calloc(req->n_plans + 1, sizeof *self->slots);
    if (!self->slots) {
        free(self);
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->filled, NULL);
    if (pthread_create(&self->worker, NULL, work, self) != 0) {
        pthread_cond_destroy(&self->filled);
        pthread_mutex_destroy(&self->lock);
        free(self->slots);
        free(self);
        return NULL;
    }
    return self;
}

plan_doc_t *parse_ahead_take(parse_ahead_t *self, size_t i, char *reason, size_t len)
{
    pthread_mutex_lock(&self->lock);
    while (self->ready <= i)
        pthread_cond_wait(&self->filled, &self->lock);
    pthread_mutex_unlock(&self->lock);
    plan_doc_t *doc = self->slots[i].doc;
    self->slots[i].doc = NULL;
    if (!doc)
        snprintf(reason, len, "%s", self->slots[i].reason);
    return doc;
}

void parse_ahead_stop(parse_ahead_t **self_p)
{
    parse_ahead_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    pthread_mutex_lock(&self->lock);
    self->stop = true;
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->worker, NULL);
    for (size_t i = 0; i < self->req->n_plans; i++)
        plan_doc_destroy(&self->slots[i].doc);
    pthread_cond_destroy(&self->filled);
    pthread_mutex_destroy(&self->lock);
    free(self->slots);
    free(self);
    *self_p = NULL;
}
