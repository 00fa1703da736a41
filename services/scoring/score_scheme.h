/* score_scheme.h - a scoring scheme in memory: the tree of areas, criteria and rules
 *
 * A scheme (one year, one unit level: "Chỉ số CCHC phường 2023") is a tree
 * of nodes, each with a code ("3.3.4"), a name and its maximum points; the
 * leaves carry the rule that turns a unit's data into points. In memory the
 * tree is one flat array in pre-order: nodes[0] is the synthetic root (the
 * whole index, its max the scheme's max), every node's parent has a smaller
 * index and its descendants follow it. Walking the array backwards therefore
 * meets every child before its parent, which is all score_compute needs: no
 * recursion, no allocation.
 *
 * Schemes are read from files by scheme_file.h; nothing here does I/O. A
 * scheme is immutable once read and may be shared by any number of inputs and
 * results (and threads).
 */
#ifndef PARTRACK_SCORE_SCHEME_H
#define PARTRACK_SCORE_SCHEME_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SCORE_RULE_NONE = 0,    /* an inner node: the sum of its children */
    SCORE_RULE_RATIO,       /* measurement ÷ measurement (or a %) against a target */
    SCORE_RULE_BANDS,       /* a measured value → points by thresholds */
    SCORE_RULE_DELIVERABLE, /* a task or report on time / late / missing */
    SCORE_RULE_PLAN,        /* share of a plan's tasks done on time → bands */
    SCORE_RULE_MANUAL,      /* appraised points with evidence */
    SCORE_RULE_SURVEY,      /* a satisfaction % → points (proportional or bands) */
    SCORE_RULE_DEDUCTION,   /* points taken off, up to a cap */
    SCORE_RULE_PENALTY,     /* points taken off, up to a cap */
    SCORE_RULE_BONUS,       /* points added, up to a cap */
} score_rule_kind_t;

/* How a ratio below its target scores. */
typedef enum {
    SCORE_BELOW_ZERO = 0,     /* nothing */
    SCORE_BELOW_PROPORTIONAL, /* max × ratio ÷ target */
    SCORE_BELOW_BANDS,        /* the first band the ratio reaches */
} score_below_t;

/* A threshold: a value at least `threshold` (above it when strict) earns
 * `points`. A rule's bands are in decreasing order; the first that the value
 * reaches wins, none gives 0. */
typedef struct {
    double threshold;
    bool strict;
    double points;
} score_band_t;

typedef struct {
    score_rule_kind_t kind;
    /* ratio: numerator ÷ denominator (measurement codes), or `measurement`
     * alone when it is already a %; bands: `measurement` is the value */
    char *numerator;
    char *denominator;
    char *measurement;
    /* deliverable: the task or report key; plan: the plan key */
    char *key;
    double target; /* ratio: % that earns full points */
    score_below_t below;
    score_band_t *bands; /* ratio below target, bands, plan, survey (none: proportional) */
    size_t nbands;
    double on_time, late, missing; /* deliverable */
    double cap;                    /* deduction, penalty, bonus: most points they move */
    bool may_exceed;               /* a value over 100% is not a contradiction (tax 143%) */
} score_rule_t;

typedef struct {
    char *code; /* "3.3.4"; the root's is "" */
    char *name;
    char *note;  /* where the criterion comes from; may be NULL */
    double max;  /* 0 for deductions, penalties and bonuses */
    int parent;  /* -1 for the root */
    int depth;   /* 0 root, 1 area, 2 criterion ... */
    int end;     /* one past the last descendant: [i+1, end) is the subtree */
    bool survey; /* a survey leaf, or a node whose leaves are all survey */
    score_rule_t rule;
} score_node_t;

/* "sum(parts) <= at_most": measurements that cannot all be true at once
 * otherwise (online level-3 plus level-4 dossiers cannot exceed all
 * dossiers). */
typedef struct {
    char **parts;
    size_t nparts;
    char *at_most;
    char *note;
} score_consistency_t;

typedef struct score_scheme {
    char *file;   /* as given to the reader, for messages */
    char *code;   /* "hanoi-ward" */
    char *name;   /* "Chỉ số CCHC phường ..." */
    char *level;  /* unit kind it scores: "ward" */
    char *source; /* where it comes from; may be NULL */
    int year;
    score_node_t *nodes; /* nodes[0] is the root */
    size_t nnodes;
    size_t nleaves;
    double max;        /* nodes[0].max */
    double survey_max; /* sum of the survey leaves' max */
    score_consistency_t *consistency;
    size_t nconsistency;
} score_scheme_t;

/* Frees the scheme and clears *s; takes NULL. */
void score_scheme_destroy(score_scheme_t **s);

/* Index of the node with this code ("" is the root), or -1. */
int score_scheme_find(const score_scheme_t *s, const char *code);

/* True if node i is a leaf (has a rule). */
bool score_node_is_leaf(const score_node_t *n);

/* The rule kind's name as written in scheme files ("ratio", "bands",
 * "deliverable", "plan_completion", "manual", "survey", "deduction",
 * "penalty", "bonus"), or NULL for SCORE_RULE_NONE. */
const char *score_rule_kind_name(score_rule_kind_t kind);

/* The band a value reaches, or -1. */
int score_band_match(const score_band_t *bands, size_t n, double value);

#endif
