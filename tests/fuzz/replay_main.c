/* replay_main.c - runs a fuzzing harness over files, without libFuzzer
 *
 * Linked with one tests/fuzz/fuzz_NAME.c in the ordinary build (gcc, and the
 * ASan+UBSan build of scripts/test), it makes the committed corpus a
 * regression test: every file of each directory given (or each file given)
 * goes once through LLVMFuzzerTestOneInput, after LLVMFuzzerInitialize when
 * the harness has one, exactly as the fuzzer would feed it: a buffer of the
 * file's size, so a read past the end is caught by the sanitizers. A broken
 * invariant aborts, as under the fuzzer. Files are replayed in name order
 * and each is named on stderr before it runs, so the last name printed is
 * the culprit of a failure.
 *
 *   fuzz_replay_NAME [--min-files N] DIR|FILE...
 *
 * --min-files N fails (exit 1) when fewer than N files were replayed: a
 * corpus lost or emptied must not pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Feeds the file to the harness from a buffer of exactly its size (1 byte
 * for an empty file, never read). Returns 0, or -1 with a message. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    size_t got = buf ? fread(buf, 1, len, f) : 0;
    fclose(f);
    if (!buf || got != len) {
        fprintf(stderr, "replay: %s: %s\n", path, buf ? "short read" : "out of memory");
        free(buf);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int keep(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Every file of dir, in name order; adds to *count. */
static int replay_dir(const char *dir, size_t *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, keep, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) < 0)
                rc = -1;
            else
                (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t min_files = 0, count = 0;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "--min-files") == 0 && first + 1 < argc)
            min_files = strtoul(argv[++first], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--min-files N] DIR|FILE...\n", argv[0]);
            return 2;
        }
    }
    if (first == argc) {
        fprintf(stderr, "usage: %s [--min-files N] DIR|FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) : replay_file(argv[i]);
        if (rc < 0)
            return 1;
        if (!S_ISDIR(st.st_mode))
            count++;
    }
    if (count < min_files) {
        fprintf(stderr, "replay: %zu files replayed, expected at least %zu\n", count, min_files);
        return 1;
    }
    printf("replayed %zu files\n", count);
    return 0;
}
