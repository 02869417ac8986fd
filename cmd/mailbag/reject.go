package main

import (
	"fmt"
	"mailbag/questions"

	"github.com/spf13/cobra"
)

func newRejectCmd(a *app) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "reject ID",
		Short: "Set a question aside",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			return a.withQueue(cmd.Context(), func(_ *newsletter, q *questions.Queue) error {
				if err := q.Reject(cmd.Context(), ids[0], reason); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Question %d set aside. (`mailbag reopen %d` brings it back.)\n", ids[0], ids[0])
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for your own record")
	return cmd
}

func newReopenCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "reopen ID",
		Short: "Bring a rejected question, or other mail (m12), back to the new ones",
		Long: `Bring a rejected question back to the new ones. Given other mail's number
(m12: an auto-reply, list mail or a report, see mailbag questions --status
ignored), make it a new question, under a question number of its own.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, other, err := parseRef(args[0])
			if err != nil {
				return err
			}
			return a.withQueue(cmd.Context(), func(_ *newsletter, q *questions.Queue) error {
				if other {
					number, err := q.ReopenOther(cmd.Context(), id)
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "m%d is question %d now. (`mailbag show %d`)\n", id, number, number)
					return nil
				}
				if err := q.Reopen(cmd.Context(), id); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Question %d is new again.\n", id)
				return nil
			})
		},
	}
}
