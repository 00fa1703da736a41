/* scoring_facts.c - one change to a unit-year's facts document (see the
 * header) */
#include "scoring_facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The object doc[name], made if missing; NULL if it is not an object. */
static json_t *member_object(json_t *doc, const char *name)
{
    json_t *o = json_object_get(doc, name);
    if (!o) {
        o = json_object();
        json_object_set_new(doc, name, o);
    }
    return json_is_object(o) ? o : NULL;
}

/* A fact's value as audit text ("" when absent); appraised points with
 * evidence are their points (the evidence has its own column). */
static void text_of(const json_t *v, char *out, size_t len)
{
    if (json_is_object(v) && json_is_number(json_object_get(v, "points")))
        v = json_object_get(v, "points");
    if (!v) {
        snprintf(out, len, "%s", "");
    } else if (json_is_number(v)) {
        snprintf(out, len, "%g", json_number_value(v));
    } else if (json_is_string(v)) {
        snprintf(out, len, "%s", json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(out, len, "%s", s ? s : "");
        free(s);
    }
}

static int need(bool ok, const char *what, const scoring_fact_change_t *c, char *err, size_t errlen)
{
    if (!ok)
        snprintf(err, errlen, "a %s fact needs %s", c->kind, what);
    return ok ? 0 : -1;
}

/* Sets obj[key] to v (taking the reference), with from/to texts; 1 if it
 * changed, 0 if equal. */
static int set_member(json_t *obj, const char *key, json_t *v, char *from, size_t from_len,
                      char *to, size_t to_len)
{
    json_t *old = json_object_get(obj, key);
    text_of(old, from, from_len);
    text_of(v, to, to_len);
    if (old && json_equal(old, v)) {
        json_decref(v);
        return 0;
    }
    json_object_set_new(obj, key, v);
    return 1;
}

/* The index of key in the not_applicable list, or -1. */
static int listed(const json_t *list, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
            return (int)i;
    }
    return -1;
}

static int set_applicable(json_t *doc, const scoring_fact_change_t *c, bool applies, char *from,
                          size_t from_len, char *to, size_t to_len)
{
    json_t *list = json_object_get(doc, "not_applicable");
    if (!list) {
        list = json_array();
        json_object_set_new(doc, "not_applicable", list);
    }
    int at = json_is_array(list) ? listed(list, c->key) : -1;
    snprintf(from, from_len, "%s", at >= 0 ? "not_applicable" : "applicable");
    snprintf(to, to_len, "%s", applies ? "applicable" : "not_applicable");
    if ((at >= 0) == !applies)
        return 0;
    if (applies)
        json_array_remove(list, (size_t)at);
    else
        json_array_append_new(list, json_string(c->key));
    return 1;
}

int scoring_facts_apply(json_t *doc, const scoring_fact_change_t *c, char *from, size_t from_len,
                        char *to, size_t to_len, char *err, size_t errlen)
{
    const char *k = c->kind;
    if (strcmp(k, "survey") != 0 &&
        need(c->key && *c->key, "a key (--node and the like)", c, err, errlen) < 0)
        return -1;
    if (strcmp(k, "manual") == 0) {
        if (need(c->has_value, "points", c, err, errlen) < 0)
            return -1;
        json_t *v = c->evidence
                        ? json_pack("{s:f, s:s}", "points", c->value, "evidence", c->evidence)
                        : json_real(c->value);
        json_t *manual = member_object(doc, "manual");
        if (!manual || !v)
            goto malformed;
        int rc = set_member(manual, c->key, v, from, from_len, to, to_len);
        return rc;
    }
    if (strcmp(k, "survey") == 0) {
        if (need(c->has_value, "a %", c, err, errlen) < 0)
            return -1;
        return set_member(doc, "survey", json_real(c->value), from, from_len, to, to_len);
    }
    if (strcmp(k, "not_applicable") == 0 || strcmp(k, "applicable") == 0)
        return set_applicable(doc, c, strcmp(k, "applicable") == 0, from, from_len, to, to_len);
    if (strcmp(k, "measurement") == 0) {
        json_t *m = member_object(doc, "measurements");
        if (need(c->has_value, "a value", c, err, errlen) < 0)
            return -1;
        if (!m)
            goto malformed;
        return set_member(m, c->key, json_real(c->value), from, from_len, to, to_len);
    }
    if (strcmp(k, "outcome") == 0) {
        json_t *d = member_object(doc, "deliverables");
        if (need(c->outcome != NULL, "an outcome (on_time, late, missing)", c, err, errlen) < 0)
            return -1;
        if (!d)
            goto malformed;
        return set_member(d, c->key, json_string(c->outcome), from, from_len, to, to_len);
    }
    if (strcmp(k, "plan") == 0) {
        json_t *plans = member_object(doc, "plans");
        if (need(c->has_value && c->has_value2, "tasks due and done on time", c, err, errlen) < 0)
            return -1;
        if (!plans)
            goto malformed;
        return set_member(plans, c->key,
                          json_pack("{s:f, s:f}", "tasks", c->value, "on_time", c->value2), from,
                          from_len, to, to_len);
    }
    if (strcmp(k, "adjustment") == 0) {
        json_t *a = member_object(doc, "adjustments");
        if (need(c->has_value, "points", c, err, errlen) < 0)
            return -1;
        if (!a)
            goto malformed;
        json_t *item = c->evidence
                           ? json_pack("{s:f, s:s}", "points", c->value, "reason", c->evidence)
                           : json_pack("{s:f}", "points", c->value);
        return set_member(a, c->key, json_pack("[o]", item), from, from_len, to, to_len);
    }
    snprintf(err, errlen,
             "unknown fact kind %s (manual, survey, not_applicable, applicable, measurement, "
             "outcome, plan, adjustment)",
             k);
    return -1;
malformed:
    snprintf(err, errlen, "the stored facts have no object where the %s fact goes", k);
    return -1;
}
