/* task_feed.h - report chains: one task's result feeds another's
 *
 * "Các bộ phận báo cáo trước ngày 05 tháng cuối quý; Văn phòng tổng hợp, nộp
 * Phòng Nội vụ quận trước mùng 10": the sections' task feeds the office's.
 * The link is stored with an audit row and a TaskFeeds event; the deadline
 * service then shows, for a late link, the deadline it threatens.
 */
#ifndef PARTRACK_TASK_FEED_H
#define PARTRACK_TASK_FEED_H

#include "db.h"
#include "plans.pb-c.h"
#include "problems.h"

#include <stdint.h>

/* In the caller's transaction: 1 done (also when the link exists), 0 no
 * such task (req->id), 2 refused (problem added: the other task unknown,
 * itself, a cycle), -1 database failure. */
int task_feed(db_t *db, const Partrack__TaskFeedRequest *req, const char *actor,
              problems_t *problems, int64_t *last_event);

#endif
