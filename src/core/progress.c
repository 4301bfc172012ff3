#include "core/progress.h"

#include <time.h>
#include <unistd.h>

double mist_time_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mist_progress_start(mist_progress *p, int active, const char *label, const char *unit,
                         uint64_t total)
{
    p->out = active ? stderr : NULL;
    p->tty = active && isatty(fileno(stderr));
    p->label = label;
    p->unit = unit;
    p->total = total ? total : 1;
    p->start_s = mist_time_now_s();
    p->last_draw_s = -1.0;
    p->last_decile = 0;
}

static void format_duration(char *buf, size_t size, double s)
{
    if (s < 0 || s > 1e7)
        snprintf(buf, size, "--");
    else if (s < 60)
        snprintf(buf, size, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

static void draw(mist_progress *p, uint64_t done, double items, double now, int newline)
{
    double elapsed = now - p->start_s;
    double frac = (double)done / (double)p->total;
    double rate = elapsed > 0 ? items / elapsed : 0.0;
    char eta[32];
    format_duration(eta, sizeof eta, frac > 0 ? elapsed * (1.0 - frac) / frac : -1.0);
    fprintf(p->out, "%s%s: %5.1f%%  %.3g %s/s  ETA %s%s", p->tty ? "\r" : "", p->label,
            100.0 * frac, rate, p->unit, eta, newline ? "\n" : "   ");
    fflush(p->out);
}

void mist_progress_update(mist_progress *p, uint64_t done, double items)
{
    if (!p->out)
        return;
    double now = mist_time_now_s();
    if (p->tty) {
        if (now - p->last_draw_s >= 1.0) {
            p->last_draw_s = now;
            draw(p, done, items, now, 0);
        }
        return;
    }
    int decile = (int)(10 * done / p->total);
    if (decile > p->last_decile && decile < 10) {
        p->last_decile = decile;
        draw(p, done, items, now, 1);
    }
}

void mist_progress_finish(mist_progress *p, double items)
{
    if (!p->out)
        return;
    double elapsed = mist_time_now_s() - p->start_s;
    char t[32];
    format_duration(t, sizeof t, elapsed);
    fprintf(p->out, "%s%s: 100.0%%  %.3g %s in %s (%.3g %s/s)%s\n", p->tty ? "\r" : "", p->label,
            items, p->unit, t, elapsed > 0 ? items / elapsed : 0.0, p->unit,
            p->tty ? "          " : "");
    fflush(p->out);
}
