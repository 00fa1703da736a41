-- When the event an event task waits for happened ("Sau khi Sở Nội vụ triển
-- khai", "kể từ khi nhận được văn bản"): set by `partrack task trigger`.
ALTER TABLE registry.task ADD COLUMN triggered_on date;
