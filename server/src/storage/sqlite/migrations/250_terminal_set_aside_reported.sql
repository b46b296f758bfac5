-- How many deposits the terminal's last heartbeat said it holds set aside (never to be sent): the
-- depositsSetAside alert is raised when that count grows, so an operator who closed it is asked again only
-- about deposits set aside since, while the kiosk keeps reporting the ones already dealt with.
ALTER TABLE terminals ADD COLUMN set_aside_reported INTEGER NOT NULL DEFAULT 0;
