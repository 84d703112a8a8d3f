package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
)

// writeEvents writes an events file of about size bytes (like the crash
// tests' file: 5,000 users, 8 columns) and returns its row count.
func writeEvents(path string, size int64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	n, _ := w.WriteString("identity,ts,evtName,Amount,Currency,Category,Quantity,PaymentMode\n")
	written := int64(n)
	var rows int64
	var line []byte
	for written < size {
		line = append(line[:0], "user-"...)
		line = strconv.AppendInt(line, rows%5000, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, 1700000000+rows, 10)
		line = append(line, ",Purchased,"...)
		line = strconv.AppendInt(line, rows%1000, 10)
		line = append(line, ".5,INR,Books,"...)
		line = strconv.AppendInt(line, rows%7, 10)
		line = append(line, ",UPI\n"...)
		w.Write(line)
		written += int64(len(line))
		rows++
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("write events file: %w", err)
	}
	return rows, f.Close()
}
