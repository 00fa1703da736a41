/* scheme_file.h - reading and validating a scoring scheme file (JSON)
 *
 * The format is documented in the README ("Scoring"): a scheme's code, name,
 * year, unit level and a tree of `areas`, each node with `code`, `name`,
 * `max` and either `children` or a `rule`. Everything is checked before a
 * scheme is returned: required fields, types and ranges, unknown keys (a
 * misspelt key must not be ignored), unique codes, every inner node's max
 * equal to the sum of its children's, band order, rule parameters within the
 * node's max, valid UTF-8 (names are stored NFC). The first problem is
 * reported as `FILE: JSON.PATH: what is wrong`, or `FILE:LINE:COLUMN: ...`
 * for a JSON syntax error, e.g.
 *   scheme.json: areas[2].children[0].rule.target: must be a number between 0 and 100
 */
#ifndef PARTRACK_SCHEME_FILE_H
#define PARTRACK_SCHEME_FILE_H

#include "score_scheme.h"

#include <stddef.h>

/* Reads the scheme in file `path`. Returns a new scheme (caller frees with
 * score_scheme_destroy), or NULL with the reason in err. */
score_scheme_t *scheme_file_load(const char *path, char *err, size_t errlen);

/* The same from text in memory; `name` stands for the file in messages. */
score_scheme_t *scheme_file_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen);

#endif
