package dev.warden.policy.expr;

import java.util.Locale;

/** Units for rounding dates and times and for event-time windows; the names are those of SQL's date_trunc. */
public enum TimeUnit
{
    MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR;

    public String sqlName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for units finer than a day, which cannot truncate a DATE. */
    public boolean isTimeOfDay()
    {
        return this == MINUTE || this == HOUR;
    }
}
