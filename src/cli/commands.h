/* Subcommands of the dufm CLI. Each takes the whole argv and the index of its
 * first own argument and returns the process exit status. */
#ifndef DUFM_CLI_COMMANDS_H
#define DUFM_CLI_COMMANDS_H

int cmd_dnc(int argc, char **argv, int first);
int cmd_eval(int argc, char **argv, int first);
int cmd_compare(int argc, char **argv, int first);
int cmd_structure(int argc, char **argv, int first);
int cmd_export(int argc, char **argv, int first);
int cmd_table(int argc, char **argv, int first);
int cmd_optimize(int argc, char **argv, int first);
int cmd_check(int argc, char **argv, int first);
int cmd_plot(int argc, char **argv, int first);
int cmd_certify(int argc, char **argv, int first);
int cmd_check_cert(int argc, char **argv, int first);
int cmd_paper(int argc, char **argv, int first);
int cmd_polish(int argc, char **argv, int first);
int cmd_search(int argc, char **argv, int first);

#endif
