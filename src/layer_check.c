/* Linked with one module's objects and the layers below it only (see
 * src/meson.build): the link fails when the module calls a later layer. */
int main(void) { return 0; }
