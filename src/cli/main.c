#include "core/status.h"
int main(void) { return 0; }
